import { sha256Sync } from '../key/sha256';

/**
 * Hex HMAC-SHA-256 (RFC 2104) under `secret` (at most 64 bytes) of a string's UTF-16 code units,
 * little-endian. Synchronous, on the plain-JavaScript SHA-256: it works where `crypto.subtle` is missing.
 */
export function hmacHex(secret: Uint8Array, text: string): string {
  const inner = new Uint8Array(64 + text.length * 2);
  const outer = new Uint8Array(96);
  for (let i = 0; i < 64; i++) {
    const byte = secret[i] ?? 0;
    inner[i] = byte ^ 0x36;
    outer[i] = byte ^ 0x5c;
  }
  for (let i = 0, j = 64; i < text.length; i++, j += 2) {
    const unit = text.charCodeAt(i);
    inner[j] = unit & 255;
    inner[j + 1] = unit >>> 8;
  }
  const digest = sha256Sync(inner);
  for (let i = 0; i < 32; i++) outer[64 + i] = parseInt(digest.slice(i * 2, i * 2 + 2), 16);
  return sha256Sync(outer);
}
