/**
 * Canonical, type-tagged encoding of a call's arguments.
 *
 * Every value is written as a tag followed by a self-delimiting body (strings carry their length,
 * containers their brackets), so two encodings are equal exactly when the values are equal in the
 * sense users expect: `1`, `'1'`, `1n` and `true` differ; key order of plain objects and insertion
 * order of Sets and Maps do not matter; equal cyclic structures encode alike.
 */

/** A custom hasher: values it matches are keyed by what `hash` returns instead of by their content. */
export interface HashFunc {
  /** Whether this hasher handles `value`. */
  readonly matches: (value: unknown) => boolean;
  /** A keyable stand-in for `value` (a string, number, plain object…). */
  readonly hash: (value: unknown) => unknown;
}

/** An encoded key: the text, plus the large binary parts whose digests complete it. */
export interface EncodedKey {
  readonly text: string;
  /** Large binary contents (in order of appearance) to be digested; empty for most keys. */
  readonly binaries: readonly (Uint8Array | Blob)[];
}

/** Thrown for a value that cannot be part of a key; `path` says where it sits. */
export class UnkeyableValueError extends TypeError {
  /** Path segments from the argument list down to the value, e.g. `['args[0]', '.handler']`. */
  readonly segments: string[] = [];
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'TypeError';
  }
  /** Where the value sits, e.g. `args[0].handler`. */
  get path(): string {
    return this.segments.join('');
  }
  /** Adds the path to the message once the error has left the encoder. */
  finish(): this {
    this.message =
      `idb-memo: cannot make a cache key from ${this.path || 'the arguments'}: ${this.reason}. ` +
      'Pass a `key` option to cache() that returns a keyable value, or add a `hashFuncs` entry for this type.';
    return this;
  }
}

/** Binary contents up to this many bytes are written into the text; larger ones are digested. */
export const INLINE_BINARY_BYTES = 512;
/** Containers nested deeper than this are refused instead of risking a stack overflow. */
export const MAX_DEPTH = 1000;

const objectProto = Object.prototype;

/**
 * Encodes `args` (and `self` when it is part of the key) canonically.
 * @throws UnkeyableValueError naming the path of a value that cannot be keyed
 */
export function encodeKey(args: readonly unknown[], self: object | undefined, hashFuncs: readonly HashFunc[]): EncodedKey {
  // Fast path: the most common memoized call, one string or number argument, no `this`.
  if (self === undefined && args.length === 1 && hashFuncs.length === 0) {
    const only = args[0];
    if (typeof only === 'string') return { text: `1|s${only.length}:${only}`, binaries: NO_BINARIES };
    if (typeof only === 'number') return { text: `1|${encodeNumber(only)}`, binaries: NO_BINARIES };
  }
  const encoder = new Encoder(hashFuncs);
  try {
    let text = self === undefined ? '' : `t${encoder.encodeSelf(self)}`;
    text += `${args.length}|`;
    for (let i = 0; i < args.length; i++) text += encoder.child(`args[${i}]`, args[i]);
    return { text, binaries: encoder.binaries };
  } catch (error) {
    // A small stack can overflow before MAX_DEPTH; report that as the same clear error.
    if (error instanceof RangeError && !(error instanceof UnkeyableValueError)) {
      throw new UnkeyableValueError('the value is nested too deeply to key');
    }
    throw error;
  }
}

const NO_BINARIES: readonly Uint8Array[] = Object.freeze([]);

function encodeNumber(n: number): string {
  // -0 and 0 are one key, as in Map and Set; NaN equals NaN.
  return `d${n === 0 ? 0 : n};`;
}

function encodeString(s: string): string {
  return `s${s.length}:${s}`;
}

class Encoder {
  readonly binaries: (Uint8Array | Blob)[] = [];
  /** Objects on the current path, with their depth, to write cycles as back-references. */
  private ancestors: Map<object, number> | undefined;
  private depth = 0;

  constructor(private readonly hashFuncs: readonly HashFunc[]) {}

  /** Encodes a method's `this`: its class name and own enumerable data (function-valued fields skipped). */
  encodeSelf(self: object): string {
    try {
      const data: Record<string, unknown> = {};
      for (const name of Object.keys(self)) {
        const value = (self as Record<string, unknown>)[name];
        if (typeof value !== 'function') data[name] = value;
      }
      return `c${encodeString(constructorName(self))}${this.encodeFields(data)}`;
    } catch (error) {
      if (error instanceof UnkeyableValueError) error.segments.unshift('this');
      throw error;
    }
  }

  /** Encodes `value`, prefixing `segment` to the path of any error from inside it. */
  child(segment: string, value: unknown): string {
    try {
      return this.encode(value);
    } catch (error) {
      if (error instanceof UnkeyableValueError) error.segments.unshift(segment);
      throw error;
    }
  }

  private encode(value: unknown): string {
    if (this.hashFuncs.length > 0) {
      for (let i = 0; i < this.hashFuncs.length; i++) {
        const hashFunc = this.hashFuncs[i]!;
        if (hashFunc.matches(value)) return `H${i};${this.encodeHashed(hashFunc.hash(value))}`;
      }
    }
    switch (typeof value) {
      case 'string':
        return encodeString(value);
      case 'number':
        return encodeNumber(value);
      case 'boolean':
        return value ? 'T' : 'F';
      case 'undefined':
        return 'u';
      case 'bigint':
        return `b${value};`;
      case 'symbol':
        return encodeSymbol(value);
      case 'function':
        throw new UnkeyableValueError(`a function (${value.name || 'anonymous'}) has no content to key by`);
      case 'object':
        return value === null ? 'n' : this.encodeObject(value);
    }
  }

  /** A hasher's stand-in; counted as a level so that a hasher returning its input cannot loop forever. */
  private encodeHashed(standIn: unknown): string {
    if (this.depth >= MAX_DEPTH) throw new UnkeyableValueError(`a hashFuncs entry nests more than ${MAX_DEPTH} levels deep`);
    this.depth++;
    try {
      return this.encode(standIn);
    } finally {
      this.depth--;
    }
  }

  private encodeObject(value: object): string {
    const ancestors = (this.ancestors ??= new Map());
    const seenAt = ancestors.get(value);
    if (seenAt !== undefined) return `r${this.depth - seenAt};`;
    if (this.depth >= MAX_DEPTH) throw new UnkeyableValueError(`the value is nested more than ${MAX_DEPTH} levels deep`);
    ancestors.set(value, this.depth++);
    try {
      return this.encodeContent(value);
    } finally {
      ancestors.delete(value);
      this.depth--;
    }
  }

  private encodeContent(value: object): string {
    if (Array.isArray(value)) {
      let out = `a${value.length}[`;
      for (let i = 0; i < value.length; i++) out += this.child(`[${i}]`, value[i]);
      return `${out}]`;
    }
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === objectProto || proto === null) return `o${this.encodeFields(value)}`;
    if (ArrayBuffer.isView(value)) {
      const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      return `V${encodeString(constructorName(value))}${this.encodeBytes(bytes)}`;
    }
    if (value instanceof ArrayBuffer || isSharedArrayBuffer(value)) return `A${this.encodeBytes(new Uint8Array(value))}`;
    if (value instanceof Date) return `D${value.getTime()};`;
    if (value instanceof RegExp) return `R${encodeString(value.source)}${encodeString(value.flags)}`;
    if (value instanceof Map) return this.encodeMap(value);
    if (value instanceof Set) return this.encodeSet(value);
    if (typeof Blob !== 'undefined' && value instanceof Blob) {
      this.binaries.push(value);
      return `L${encodeString(value.type)}${value.size}#${this.binaries.length - 1};`;
    }
    if (isBoxedPrimitive(value)) return `B${this.encode(value.valueOf())}`;
    if (value instanceof Error) {
      return `E${encodeString(value.name)}${encodeString(value.message)}${this.encodeFields(value)}`;
    }
    if (isOpaque(value)) {
      throw new UnkeyableValueError(`a ${constructorName(value)} has no enumerable content to key by`);
    }
    return `c${encodeString(constructorName(value))}${this.encodeFields(value)}`;
  }

  /** Own enumerable string-keyed fields, in sorted key order. */
  private encodeFields(value: object): string {
    let out = '{';
    for (const name of Object.keys(value).sort()) {
      out += encodeString(name) + this.child(`.${name}`, (value as Record<string, unknown>)[name]);
    }
    return `${out}}`;
  }

  private encodeMap(map: Map<unknown, unknown>): string {
    const parts: string[] = [];
    for (const [k, v] of map) {
      const label = typeof k === 'string' || typeof k === 'number' ? String(k) : '…';
      parts.push(this.child('<Map key>', k) + this.child(`.get(${label})`, v));
    }
    return `M${parts.length}{${parts.sort().join('')}}`;
  }

  private encodeSet(set: Set<unknown>): string {
    const parts: string[] = [];
    for (const member of set) parts.push(this.child('<Set member>', member));
    return `S${parts.length}{${parts.sort().join('')}}`;
  }

  private encodeBytes(bytes: Uint8Array): string {
    if (bytes.byteLength <= INLINE_BINARY_BYTES) {
      return `${bytes.byteLength}:${String.fromCharCode.apply(null, bytes as unknown as number[])}`;
    }
    this.binaries.push(bytes);
    return `${bytes.byteLength}#${this.binaries.length - 1};`;
  }

}

function encodeSymbol(symbol: symbol): string {
  const registered = Symbol.keyFor(symbol);
  if (registered !== undefined) return `Y${encodeString(registered)}`;
  if (symbol.description === undefined || symbol.description === '') {
    throw new UnkeyableValueError('a symbol without a description has nothing to key by');
  }
  return `y${encodeString(symbol.description)}`;
}

function constructorName(value: object): string {
  const ctor: unknown = (value as { constructor?: unknown }).constructor;
  return typeof ctor === 'function' && ctor.name ? ctor.name : 'Object';
}

function isSharedArrayBuffer(value: object): value is SharedArrayBuffer {
  return typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer;
}

function isBoxedPrimitive(value: object): boolean {
  return value instanceof String || value instanceof Number || value instanceof Boolean || value instanceof BigInt || value instanceof Symbol;
}

/** Objects whose contents cannot be observed, so keying them could only be by identity. */
function isOpaque(value: object): boolean {
  return (
    value instanceof WeakMap ||
    value instanceof WeakSet ||
    (typeof WeakRef !== 'undefined' && value instanceof WeakRef) ||
    value instanceof Promise
  );
}
