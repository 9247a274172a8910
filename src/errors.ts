/** Stable codes of the errors the library throws; docs/errors.md says when each is thrown and how to fix it. */
export type ErrorCode =
  /** An option or setting has the wrong type, or an unknown name. */
  | 'INVALID_OPTION'
  /** An option or setting has the right type but a value out of range. */
  | 'OPTION_OUT_OF_RANGE'
  /** cache() or cacheOf() was given something else than a function (or `@cache` something else than a method). */
  | 'INVALID_ARGUMENT'
  /** cacheOf() was given a function that is not memoized. */
  | 'NOT_MEMOIZED'
  /** An argument (or what `key` returned) holds a value that cannot be part of a key. */
  | 'UNKEYABLE_VALUE'
  /** clearCaches() could not delete a database that a foreign connection keeps open. */
  | 'CLEAR_BLOCKED';

/** Stable codes of the console warnings the library prints (at the end of each warning, in brackets). */
export type WarningCode =
  | 'NO_INDEXEDDB'
  | 'OPEN_FAILED'
  | 'DISK_FAILED'
  | 'WRITE_FAILED'
  | 'QUOTA_EXCEEDED'
  | 'UNSTORABLE_RESULT'
  | 'DELETE_FAILED'
  | 'SHARED_NAME';

/** Node's `process`, as bundlers see it; not declared globally, so that the published types need no Node typings. */
declare const process: { readonly env: { readonly NODE_ENV?: string } };

/**
 * Where production builds point to instead of printing a full message: docs/errors.md (also in the
 * package) has a section headed by each code.
 */
const CODES_AT = 'https://github.com/idb-memo/idb-memo/blob/main/docs/errors.md';

/**
 * Whether this is a production build: `process.env.NODE_ENV === 'production'`, which bundlers
 * replace with a constant. Guarded, since `process` is not defined in a browser without a bundler.
 */
export function isProduction(): boolean {
  try {
    return process.env.NODE_ENV === 'production';
  } catch {
    return false;
  }
}

/** The text of an error or warning: `message` in development, the code and a pointer to its documentation in production. */
export function messageOf(code: ErrorCode | WarningCode, message: string): string {
  return isProduction() ? `idb-memo ${code}: see ${CODES_AT}` : message;
}

/** What every error thrown by the library has: a stable {@link ErrorCode}. */
export interface IdbMemoFailure extends Error {
  /** The kind of failure; stable across versions, unlike the message. */
  readonly code: ErrorCode;
}

/** A bad argument or option of the wrong type, thrown by the library (a `TypeError` with a stable {@link ErrorCode}). */
export class IdbMemoTypeError extends TypeError implements IdbMemoFailure {
  constructor(
    /** The kind of failure. */
    readonly code: ErrorCode,
    message: string,
  ) {
    super(messageOf(code, message));
    this.name = 'IdbMemoTypeError';
  }
}

/** An option of the right type but out of range, thrown by the library (a `RangeError` with a stable {@link ErrorCode}). */
export class IdbMemoRangeError extends RangeError implements IdbMemoFailure {
  constructor(
    /** The kind of failure. */
    readonly code: ErrorCode,
    message: string,
  ) {
    super(messageOf(code, message));
    this.name = 'IdbMemoRangeError';
  }
}

/** A failure that is neither a type nor a range error, thrown or rejected by the library, with a stable {@link ErrorCode}. */
export class IdbMemoError extends Error implements IdbMemoFailure {
  constructor(
    /** The kind of failure. */
    readonly code: ErrorCode,
    message: string,
  ) {
    super(messageOf(code, message));
    this.name = 'IdbMemoError';
  }
}

/** Whether `error` was thrown by the library (of any of its error classes); narrows to its `code`. */
export function isIdbMemoError(error: unknown): error is IdbMemoFailure {
  return error instanceof IdbMemoTypeError || error instanceof IdbMemoRangeError || error instanceof IdbMemoError;
}
