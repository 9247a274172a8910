/** SHA-256 digests of keys and of their large contents: Web Crypto, or plain JavaScript where it is missing. */

import type { Digestible, Draft } from './encode';

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
const utf8 = new TextEncoder();

/** Hex SHA-256 of `bytes`: Web Crypto's, or the same digest in plain JavaScript (a chunk loaded only then). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle as SubtleCrypto | undefined;
  if (subtle) {
    try {
      let hex = '';
      for (const byte of new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>))) hex += HEX[byte]!;
      return hex;
    } catch {
      // Refused (a view of a SharedArrayBuffer): digested below.
    }
  }
  return (await import('./sha256')).sha256Sync(bytes);
}

/**
 * The hex digest of `content`. A string is digested as UTF-8 when well formed, else as its UTF-16
 * code units (TextEncoder would turn every lone surrogate into U+FFFD) after a 0xFF byte, which
 * UTF-8 never holds: the two never meet.
 */
export async function digestOf(content: Digestible): Promise<string> {
  if (typeof content !== 'string') return sha256Hex(content instanceof Uint8Array ? content : new Uint8Array(await content.arrayBuffer()));
  if ((content as { isWellFormed?: () => boolean }).isWellFormed?.()) return sha256Hex(utf8.encode(content));
  const bytes = new Uint8Array(content.length * 2 + 1);
  bytes[0] = 0xff;
  for (let i = 0; i < content.length; i++) [bytes[2 * i + 1], bytes[2 * i + 2]] = [content.charCodeAt(i) & 255, content.charCodeAt(i) >>> 8];
  return sha256Hex(bytes);
}

/** The final key of `draft`: its text, with the digest of each large content in its place. */
export function finishKey(draft: Draft): string | Promise<string> {
  const { text, holes } = draft;
  if (holes.length === 0) return text;
  return Promise.all(holes.map(([, content]) => digestOf(content))).then((digests) => {
    let out = '';
    let from = 0;
    holes.forEach(([at], i) => {
      out += text.slice(from, at) + digests[i]!;
      from = at;
    });
    return out + text.slice(from);
  });
}
