// The plain-JavaScript SHA-256 (used where Web Crypto is missing) must give Node's digests, for
// every length around the block boundaries; strings are digested as UTF-8, or as UTF-16 code units
// when they hold lone surrogates, tagged apart.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { digestOf } from '../../src/key/digest.ts';
import { sha256Sync } from '../../src/key/sha256.ts';

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

describe('digestOf strings', () => {
  it('is the SHA-256 of the UTF-8 bytes of a well-formed string, and of 0xFF then the UTF-16LE code units otherwise', async () => {
    for (const length of [0, 1, 31, 32, 33, 100, 65_536 + 17]) {
      const wellFormed = Array.from({ length }, (_, i) => String.fromCharCode(0x20 + ((i * 97) % 0x7000))).join('');
      expect(await digestOf(wellFormed), `length ${length}`).toBe(reference(new TextEncoder().encode(wellFormed)));
      const lone = wellFormed + '\uD800';
      expect(await digestOf(lone), `length ${length}`).toBe(reference(new Uint8Array([0xff, ...utf16le(lone)])));
    }
  });
});
