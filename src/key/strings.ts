/** Strings in keys: short ones as text, long ones (like large binaries) by length and SHA-256. */

import { sha256OfTextSync } from './sha256';

/** Strings up to this many code units are written into the text; longer ones are digested (SHA-256). */
export const INLINE_STRING_LENGTH = 512;

/**
 * A string's encoding where strings are rare (names, messages, sources): its text, or for a long
 * one its length and SHA-256 (a distinct tag). Argument strings go through `Encoder.writeString`.
 */
export function encodeString(s: string): string {
  return s.length <= INLINE_STRING_LENGTH ? `s${s.length}:${s}` : `z${s.length}#${sha256OfTextSync(s)};`;
}

/**
 * Encodings of long argument strings met lately (`z…;`, digest included): a long argument passed
 * again is not digested again. Bounded in characters held; it starts afresh when full.
 */
const longStrings = new Map<string, string>();
let longStringChars = 0;
const MAX_LONG_STRING_CHARS = 1 << 20;

export function rememberLongString(text: string, encoding: string): void {
  if (text.length > MAX_LONG_STRING_CHARS) return;
  longStringChars += text.length;
  if (longStringChars > MAX_LONG_STRING_CHARS) {
    longStrings.clear();
    longStringChars = text.length;
  }
  longStrings.set(text, encoding);
}

const utf8 = typeof TextEncoder === 'undefined' ? undefined : new TextEncoder();

/**
 * The bytes a long string is digested by, and their tag: UTF-8 (native, quick) when the string is
 * well formed, else its UTF-16 code units, so that lone surrogates stay apart.
 */
export function bytesOfLongString(s: string): [string, Uint8Array] {
  const wellFormed = (s as { isWellFormed?: () => boolean }).isWellFormed;
  if (utf8 !== undefined && typeof wellFormed === 'function' && wellFormed.call(s)) return ['u', utf8.encode(s)];
  const bytes = new Uint8Array(s.length * 2);
  for (let i = 0, j = 0; i < s.length; i++, j += 2) {
    const unit = s.charCodeAt(i);
    bytes[j] = unit & 255;
    bytes[j + 1] = unit >>> 8;
  }
  return ['w', bytes];
}

/** Forgets the digests of long strings (clearCaches(): no argument text may stay behind). */
export function forgetLongStrings(): void {
  longStrings.clear();
  longStringChars = 0;
}

/** The encoding of long string `s` if it was met lately. */
export function knownLongString(s: string): string | undefined {
  return longStrings.get(s);
}
