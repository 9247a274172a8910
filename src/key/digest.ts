import type { EncodedKey } from './encode';
import { sha256OfTextSync, sha256Sync } from './sha256';

/** The two hex digits of every byte value. */
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/**
 * Large binaries up to this many bytes in all are digested at once in plain JavaScript: below it
 * that is quicker than a round trip to Web Crypto's thread, and the key stays synchronous.
 */
export const SYNC_DIGEST_BYTES = 1 << 12;

/**
 * Hex SHA-256 of `data`; full content, never a sample. Web Crypto where the context has it; else
 * (insecure contexts, Node without Web Crypto) the same digest in plain JavaScript.
 */
export async function sha256Hex(data: Uint8Array | ArrayBuffer): Promise<string> {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  const subtle = typeof crypto === 'undefined' ? undefined : (crypto.subtle as SubtleCrypto | undefined);
  if (subtle === undefined || bytes.byteLength <= SYNC_DIGEST_BYTES) return sha256Sync(bytes);
  let digest: Uint8Array;
  try {
    // Web Crypto refuses views of a SharedArrayBuffer: digest a copy of those.
    digest = new Uint8Array(await subtle.digest('SHA-256', (bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice()) as Uint8Array<ArrayBuffer>));
  } catch {
    return sha256Sync(bytes);
  }
  let hex = '';
  for (const byte of digest) hex += HEX[byte]!;
  return hex;
}

/**
 * Hex SHA-256 of a string's UTF-16 code units (little-endian). Unlike TextEncoder, this keeps
 * lone surrogates apart (TextEncoder maps every one of them to U+FFFD).
 */
export function sha256OfText(text: string): Promise<string> {
  return Promise.resolve(sha256OfTextSync(text));
}

/**
 * The in-memory key of an encoded key: its text, completed by the digests of its large binary
 * parts. Synchronous unless the key holds Blobs or more than {@link SYNC_DIGEST_BYTES} of large
 * binary content; never needs Web Crypto.
 */
export function memoryKeyOf(encoded: EncodedKey): string | Promise<string> {
  const { binaries } = encoded;
  if (binaries.length === 0) return encoded.text;
  let total = 0;
  for (const binary of binaries) total += binary instanceof Uint8Array ? binary.byteLength : Infinity;
  if (total <= SYNC_DIGEST_BYTES) return encoded.complete(binaries.map((binary) => sha256Sync(binary as Uint8Array)));
  return Promise.all(binaries.map(digestBinary)).then((digests) => encoded.complete(digests));
}

async function digestBinary(binary: Uint8Array | Blob): Promise<string> {
  return sha256Hex(binary instanceof Uint8Array ? binary : await binary.arrayBuffer());
}
