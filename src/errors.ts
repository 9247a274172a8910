/** Stable codes of the errors the library throws; docs/errors.md says when each is thrown and how to fix it. */
export type ErrorCode =
  /** An option or setting has the wrong type, an unknown name, or is missing (`toDisk` without `name`). */
  | 'INVALID_OPTION'
  /** An option or setting has the right type but a value out of range. */
  | 'OPTION_OUT_OF_RANGE'
  /** cache() was given neither a function nor options, or `@cache` decorates something else than a method. */
  | 'INVALID_ARGUMENT'
  /** cacheOf() or inspect() was given a function that is not memoized. */
  | 'NOT_MEMOIZED'
  /** An argument (or what `key` returned) holds a value that cannot be part of a key. */
  | 'UNKEYABLE_VALUE'
  /** clearCaches() could not empty a database that would not open. */
  | 'CLEAR_BLOCKED';

/** Stable codes of the console warnings the library prints (at the end of each warning, in brackets). */
export type WarningCode = 'NO_INDEXEDDB' | 'OPEN_FAILED' | 'DISK_FAILED' | 'QUOTA_EXCEEDED' | 'UNSTORABLE_RESULT';

/** Where the codes are explained, for the production build's messages: a file of the package itself, so the link lives as long as the version does. */
const CODES_AT = 'https://unpkg.com/idb-memo/docs/errors.md';

/**
 * The text of an error or warning: `message` in development; in production (where call sites pass
 * `__DEV__ && message`, so that the text is compiled out) the code, `path` and where the code is explained.
 */
export function messageOf(code: ErrorCode | WarningCode, message: string | false, path = ''): string {
  return message || `idb-memo ${code}${path && ` at ${path}`}: see ${CODES_AT}#${code.toLowerCase()}`;
}

/** What every error thrown by the library has: a stable {@link ErrorCode}. */
export interface IdbMemoFailure extends Error {
  /** The kind of failure; stable across versions, unlike the message. */
  readonly code: ErrorCode;
}

/** A bad argument or option of the wrong type (a `TypeError` with a stable {@link ErrorCode}). */
export class IdbMemoTypeError extends TypeError implements IdbMemoFailure {
  constructor(
    /** The kind of failure. */
    readonly code: ErrorCode,
    message: string | false,
    path?: string,
  ) {
    super(messageOf(code, message, path));
    this.name = 'IdbMemoTypeError';
  }
}

/** An option of the right type but out of range (a `RangeError` with a stable {@link ErrorCode}). */
export class IdbMemoRangeError extends RangeError implements IdbMemoFailure {
  constructor(
    /** The kind of failure. */
    readonly code: ErrorCode,
    message: string | false,
    path?: string,
  ) {
    super(messageOf(code, message, path));
    this.name = 'IdbMemoRangeError';
  }
}

/** A failure that is neither a type nor a range error, with a stable {@link ErrorCode}. */
export class IdbMemoError extends Error implements IdbMemoFailure {
  constructor(
    /** The kind of failure. */
    readonly code: ErrorCode,
    message: string | false,
    path?: string,
  ) {
    super(messageOf(code, message, path));
    this.name = 'IdbMemoError';
  }
}

/** Thrown (rejected) by clearCaches() when a database could not be opened to be emptied. */
export class ClearBlockedError extends IdbMemoError {
  constructor(
    /** The databases that still hold their entries. */
    readonly databases: readonly string[],
  ) {
    super(
      'CLEAR_BLOCKED',
      __DEV__ &&
        `idb-memo: clearCaches() could not open IndexedDB ${databases.map((name) => `"${name}"`).join(', ')} to empty it (another script's version change blocks it?); its entries are still stored. Call clearCaches() again.`,
    );
    this.name = 'ClearBlockedError';
  }
}

/** Whether `error` was thrown by the library (of any of its error classes); narrows to its `code`. */
export function isIdbMemoError(error: unknown): error is IdbMemoFailure {
  return error instanceof IdbMemoTypeError || error instanceof IdbMemoRangeError || error instanceof IdbMemoError;
}

const warned = new Set<string>();

/** Prints `message` as a console warning ending with its `code`, once per `topic` per page. */
export function warnOnce(code: WarningCode, topic: string, message: string | false): void {
  if (warned.has(topic)) return;
  warned.add(topic);
  try {
    console.warn(message ? `idb-memo: ${message} [${code}]` : messageOf(code, false));
  } catch {
    // A console that throws (a test setup failing on warnings) must not cost a caller its result.
  }
}
