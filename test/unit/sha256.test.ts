// The synchronous SHA-256 must give Node's digests, for every length around the block boundaries
// and for texts longer than its streaming chunk.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256OfTextSync, sha256Sync } from '../../src/key/sha256.ts';

const reference = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const utf16le = (text: string) => {
  const bytes = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) [bytes[2 * i], bytes[2 * i + 1]] = [text.charCodeAt(i) & 255, text.charCodeAt(i) >>> 8];
  return bytes;
};

describe('sha256Sync', () => {
  it('matches node:crypto for every length from 0 to 300 bytes, and a large input', () => {
    for (let length = 0; length <= 300; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 131 + length) & 255);
      expect(sha256Sync(bytes), `length ${length}`).toBe(reference(bytes));
    }
    const large = Uint8Array.from({ length: 1_000_003 }, (_, i) => (i * 7) & 255);
    expect(sha256Sync(large)).toBe(reference(large));
  });

  it('hashes a subarray by its own bytes only', () => {
    const bytes = Uint8Array.from({ length: 200 }, (_, i) => i);
    expect(sha256Sync(bytes.subarray(10, 150))).toBe(reference(bytes.slice(10, 150)));
  });
});

describe('sha256OfTextSync', () => {
  it('is the SHA-256 of the UTF-16LE code units, lone surrogates included, across chunk boundaries', () => {
    for (const length of [0, 1, 31, 32, 33, 100, 32_767, 32_768, 32_769, 65_536 + 17, 100_000]) {
      const text = Array.from({ length }, (_, i) => String.fromCharCode(i % 3 === 0 ? 0xd800 + (i % 7) : (i * 97) & 0xffff)).join('');
      expect(sha256OfTextSync(text), `length ${length}`).toBe(reference(utf16le(text)));
    }
  });
});
