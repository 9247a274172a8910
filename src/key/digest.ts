import type { EncodedKey } from './encode';

/** The two hex digits of every byte value. */
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** Hex SHA-256 (Web Crypto) of `data`; full content, never a sample. */
export async function sha256Hex(data: BufferSource): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
  let hex = '';
  for (const byte of digest) hex += HEX[byte]!;
  return hex;
}

/**
 * Hex SHA-256 of a string's UTF-16 code units. Unlike TextEncoder, this keeps lone surrogates
 * apart (TextEncoder maps every one of them to U+FFFD).
 */
export function sha256OfText(text: string): Promise<string> {
  const units = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i++) units[i] = text.charCodeAt(i);
  return sha256Hex(units);
}

/**
 * The in-memory key of an encoded key: its text, completed by the digests of its large binary
 * parts. Synchronous (no Web Crypto) unless the key holds large binary content.
 */
export function memoryKeyOf(encoded: EncodedKey): string | Promise<string> {
  if (encoded.binaries.length === 0) return encoded.text;
  return Promise.all(encoded.binaries.map(digestBinary)).then((digests) => encoded.complete(digests));
}

async function digestBinary(binary: Uint8Array | Blob): Promise<string> {
  if (!(binary instanceof Uint8Array)) return sha256Hex(await binary.arrayBuffer());
  // Web Crypto refuses views of a SharedArrayBuffer: digest a copy of those.
  return sha256Hex((binary.buffer instanceof ArrayBuffer ? binary : binary.slice()) as Uint8Array<ArrayBuffer>);
}
