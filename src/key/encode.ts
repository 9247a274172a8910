/**
 * Canonical, type-tagged encoding of a call's arguments.
 *
 * Every value is written as a tag followed by a self-delimiting body (strings carry their length,
 * containers their brackets), so two encodings are equal exactly when the values are equal in the
 * sense users expect: `1`, `'1'`, `1n` and `true` differ; key order of plain objects and insertion
 * order of Sets and Maps do not matter; equal cyclic structures encode alike.
 */

import { IdbMemoTypeError, messageOf } from '../errors';
import { aliasedKey } from './alias';

/** A custom hasher: values it matches are keyed by what `hash` returns instead of by their content. */
export interface HashFunc {
  /** Whether this hasher handles `value`. */
  readonly matches: (value: unknown) => boolean;
  /** A keyable stand-in for `value` (a string, number, plain object…). */
  readonly hash: (value: unknown) => unknown;
}

/** An encoded key: the text, plus the large binary parts whose digests complete it. */
export interface EncodedKey {
  /** The key itself when `binaries` is empty; otherwise a draft with placeholders. */
  readonly text: string;
  /** Large binary contents (in order of appearance) to be digested; empty for most keys. */
  readonly binaries: readonly (Uint8Array | Blob)[];
  /**
   * The final key, given the digests of `binaries` (same order). The arguments are encoded again
   * with each binary written as its digest, so that Sets and Maps holding large binaries sort by
   * content, not by order of appearance.
   */
  complete(digests: readonly string[]): string;
}

/** Thrown for a value that cannot be part of a key; `path` says where it sits. */
export class UnkeyableValueError extends IdbMemoTypeError {
  /** Where the value sits, e.g. `args[0].handler`; filled in by {@link encodeKey}. */
  path = '';
  constructor(
    /** Why the value cannot be keyed. */
    readonly reason: string,
  ) {
    super('UNKEYABLE_VALUE', reason);
    this.name = 'UnkeyableValueError';
  }
  /** Adds the path to the message once the error has left the encoder. */
  finish(): this {
    this.message = messageOf(
      'UNKEYABLE_VALUE',
      `idb-memo: cannot make a cache key from ${this.path || 'the arguments'}: ${this.reason}. ` +
      'Pass a `key` option to cache() that returns a keyable value, or add a `hashFuncs` entry for this type.',
    );
    return this;
  }
}

/** Binary contents up to this many bytes are written into the text; larger ones are digested. */
export const INLINE_BINARY_BYTES = 512;
/** Arrays longer than this are refused (a typed array keys millions of numbers far faster). */
export const MAX_ARRAY_LENGTH = 10_000_000;
/** Containers nested deeper than this are refused instead of risking a stack overflow. */
export const MAX_DEPTH = 1000;

const objectProto = Object.prototype;

/**
 * Encodes `args` (and `self` when it is part of the key) canonically.
 * @throws UnkeyableValueError naming the path of a value that cannot be keyed
 */
export function encodeKey(args: readonly unknown[], self: object | undefined, hashFuncs: readonly HashFunc[]): EncodedKey {
  if (self === undefined && hashFuncs.length === 0) {
    // Fast paths: the most common memoized call, one string or number argument; then plain data seen before.
    if (args.length === 1) {
      const only = args[0];
      if (typeof only === 'string') return complete(`1|s${only.length}:${only}`);
      if (typeof only === 'number') return complete(`1|${encodeNumber(only)}`);
    }
    const known = aliasedKey(args, encodePlainData);
    if (known !== undefined) return complete(known);
  }
  try {
    const draft = new Encoder(hashFuncs, undefined, undefined);
    const text = draft.encodeCall(args, self);
    if (draft.binaries.length === 0) return complete(text);
    return {
      text,
      binaries: draft.binaries,
      complete: (digests) => {
        const bySource = new Map(draft.sources.map((source, i) => [source, digests[i] ?? '']));
        return new Encoder(hashFuncs, undefined, bySource).encodeCall(args, self);
      },
    };
  } catch (error) {
    if (!(error instanceof UnkeyableValueError)) {
      // A small stack can overflow before MAX_DEPTH; report that as the same clear error.
      if (error instanceof RangeError) throw new UnkeyableValueError('the value is nested too deeply to key');
      throw error;
    }
    // Encode again, tracking the path this time: paths cost nothing on the usual, successful run.
    const path: PathSegment[] = [];
    try {
      new Encoder(hashFuncs, path, undefined).encodeCall(args, self);
    } catch (traced) {
      if (traced instanceof UnkeyableValueError) error.path = formatPath(path);
    }
    throw error;
  }
}

/** Encodes arguments known to be plain data (which cannot fail). */
function encodePlainData(args: readonly unknown[]): string {
  return new Encoder([], undefined, undefined).encodeCall(args, undefined);
}

/** A step from a container to a value inside: an index, a field name, or a ready-made label. */
type PathSegment = number | string | { readonly label: string };

function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    out += typeof segment === 'number' ? `[${segment}]` : typeof segment === 'string' ? `.${segment}` : segment.label;
  }
  return out;
}

const THIS: PathSegment = { label: 'this' };
const MAP_KEY: PathSegment = { label: '<Map key>' };
const SET_MEMBER: PathSegment = { label: '<Set member>' };

const NO_BINARIES: readonly Uint8Array[] = Object.freeze([]);
/** Shared until an encoder meets its first large binary: most keys have none. */
const NO_LARGE: (Uint8Array | Blob)[] = [];
const NO_SOURCES: object[] = [];

/** A key without large binaries: its text is final. */
function complete(text: string): EncodedKey {
  return { text, binaries: NO_BINARIES, complete: finalText };
}

function finalText(this: EncodedKey): string {
  return this.text;
}

function encodeNumber(n: number): string {
  // -0 and 0 are one key, as in Map and Set; NaN equals NaN.
  return `d${n === 0 ? 0 : n};`;
}

function encodeString(s: string): string {
  return `s${s.length}:${s}`;
}

class Encoder {
  /** Large binary contents met, to be digested… */
  binaries: (Uint8Array | Blob)[] = NO_LARGE;
  /** …and the values they came from (a typed array, an ArrayBuffer, a Blob). */
  sources: object[] = NO_SOURCES;
  /** Objects on the current path, to write cycles as back-references (a short array beats a Map here). */
  private readonly ancestors: object[] = [];
  /** Levels of hashFuncs stand-ins on the current path. */
  private hashedDepth = 0;

  /**
   * @param hashFuncs - custom hashers, checked first
   * @param path - when given, kept pointing at the value being encoded, so that after a throw it
   *   names the value that could not be keyed
   * @param digests - when given, the digest of each large binary source, written in its place
   */
  constructor(
    private readonly hashFuncs: readonly HashFunc[],
    private readonly path: PathSegment[] | undefined,
    private readonly digests: ReadonlyMap<object, string> | undefined,
  ) {}

  encodeCall(args: readonly unknown[], self: object | undefined): string {
    let text = self === undefined ? '' : `t${this.encodeSelf(self)}`;
    text += `${args.length}|`;
    for (let i = 0; i < args.length; i++) text += this.child(args[i], this.path && { label: `args[${i}]` });
    return text;
  }

  /** Encodes a method's `this`: its class name and own enumerable data (function-valued fields skipped). */
  private encodeSelf(self: object): string {
    const data: Record<string, unknown> = {};
    for (const name of Object.keys(self)) {
      const value = (self as Record<string, unknown>)[name];
      if (typeof value !== 'function') data[name] = value;
    }
    this.path?.push(THIS);
    const out = `c${encodeString(constructorName(self))}${this.encodeFields(data)}`;
    this.path?.pop();
    return out;
  }

  /** Encodes `value`, found at `segment` of the current container (a segment is needed only when tracking the path). */
  private child(value: unknown, segment: PathSegment | undefined): string {
    if (this.path === undefined || segment === undefined) return this.encode(value);
    this.path.push(segment);
    const out = this.encode(value);
    this.path.pop();
    return out;
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

  private get depth(): number {
    return this.ancestors.length + this.hashedDepth;
  }

  /** A hasher's stand-in; counted as a level so that a hasher returning its input cannot loop forever. */
  private encodeHashed(standIn: unknown): string {
    if (this.depth >= MAX_DEPTH) throw new UnkeyableValueError(`a hashFuncs entry nests more than ${MAX_DEPTH} levels deep`);
    this.hashedDepth++;
    const out = this.encode(standIn);
    this.hashedDepth--;
    return out;
  }

  private encodeObject(value: object): string {
    const ancestors = this.ancestors;
    const seenAt = ancestors.lastIndexOf(value);
    if (seenAt !== -1) return `r${ancestors.length - seenAt};`;
    if (this.depth >= MAX_DEPTH) throw new UnkeyableValueError(`the value is nested more than ${MAX_DEPTH} levels deep`);
    // No try/finally: an encoder that threw is discarded, so its ancestors need no cleanup.
    ancestors.push(value);
    const out = this.encodeContent(value);
    ancestors.pop();
    return out;
  }

  private encodeContent(value: object): string {
    if (Array.isArray(value)) {
      // A sparse array can claim billions of slots; keying it would hang the page.
      if (value.length > MAX_ARRAY_LENGTH) throw new UnkeyableValueError(`an array of ${value.length} elements is too long to key`);
      let out = `a${value.length}[`;
      for (let i = 0; i < value.length; i++) out += this.child(value[i], i);
      return `${out}]`;
    }
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === objectProto || proto === null) {
      // A namespace object (Math, JSON, a module) has no enumerable data of its own: its tag tells it apart from {}.
      const tag = (value as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag];
      return typeof tag === 'string' ? `g${encodeString(tag)}${this.encodeFields(value)}` : `o${this.encodeFields(value)}`;
    }
    if (ArrayBuffer.isView(value)) {
      const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      return `V${encodeString(constructorName(value))}${this.encodeBytes(value, bytes)}`;
    }
    if (value instanceof ArrayBuffer || isSharedArrayBuffer(value)) return `A${this.encodeBytes(value, new Uint8Array(value))}`;
    if (value instanceof Date) return `D${value.getTime()};`;
    if (value instanceof RegExp) return `R${encodeString(value.source)}${encodeString(value.flags)}`;
    if (value instanceof Map) return this.encodeMap(value);
    if (value instanceof Set) return this.encodeSet(value);
    if (typeof Blob !== 'undefined' && value instanceof Blob) return `L${encodeString(value.type)}${this.encodeLarge(value, value.size, value)}`;
    if (isBoxedPrimitive(value)) return `B${this.encode(value.valueOf())}`;
    if (value instanceof Error) {
      return `E${encodeString(value.name)}${encodeString(value.message)}${this.encodeFields(value)}`;
    }
    if (value instanceof URL) return `U${encodeString(value.href)}`;
    if (value instanceof URLSearchParams) return `Q${encodeString(value.toString())}`;
    if (typeof Headers !== 'undefined' && value instanceof Headers) return `h${this.encode([...value])}`;
    const tag = toStringTag(value);
    if (tag !== 'Object') {
      // A platform object (WeakMap, Promise, DOM node, Request…) keeps its state in internal slots:
      // its own fields say nothing about it, so two different ones would share a key.
      throw new UnkeyableValueError(`a ${tag} keeps its content out of reach, so it cannot be keyed by content`);
    }
    return `c${encodeString(constructorName(value))}${this.encodeFields(value)}`;
  }

  /** Own enumerable string-keyed fields, in sorted key order. */
  private encodeFields(value: object): string {
    const names = Object.keys(value);
    if (!isSorted(names)) names.sort();
    let out = '{';
    for (const name of names) out += encodeString(name) + this.child((value as Record<string, unknown>)[name], name);
    return `${out}}`;
  }

  private encodeMap(map: Map<unknown, unknown>): string {
    const parts: string[] = [];
    for (const [k, v] of map) {
      parts.push(this.child(k, MAP_KEY) + this.child(v, this.path && { label: `.get(${typeof k === 'string' || typeof k === 'number' ? k : '…'})` }));
    }
    return `M${parts.length}{${parts.sort().join('')}}`;
  }

  private encodeSet(set: Set<unknown>): string {
    const parts: string[] = [];
    for (const member of set) parts.push(this.child(member, SET_MEMBER));
    return `S${parts.length}{${parts.sort().join('')}}`;
  }

  private encodeBytes(source: object, bytes: Uint8Array): string {
    if (bytes.byteLength <= INLINE_BINARY_BYTES) {
      return `${bytes.byteLength}:${String.fromCharCode.apply(null, bytes as unknown as number[])}`;
    }
    return this.encodeLarge(source, bytes.byteLength, bytes);
  }

  /** Large content: its digest once known, else a placeholder while the digests are computed. */
  private encodeLarge(source: object, size: number, content: Uint8Array | Blob): string {
    if (this.digests) return `${size}#${this.digests.get(source)};`;
    if (this.binaries === NO_LARGE) [this.binaries, this.sources] = [[], []];
    this.binaries.push(content);
    this.sources.push(source);
    return `${size}#${this.binaries.length - 1};`;
  }
}

/** Whether `names` is already in the order `sort()` would give (the usual case for literal objects). */
function isSorted(names: string[]): boolean {
  for (let i = 1; i < names.length; i++) if (names[i - 1]! > names[i]!) return false;
  return true;
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
  // The prototype's constructor: an own field named "constructor" must not change the class.
  const proto: unknown = Object.getPrototypeOf(value);
  const ctor: unknown = proto === null ? undefined : (proto as { constructor?: unknown }).constructor;
  return typeof ctor === 'function' && ctor.name ? ctor.name : 'Object';
}

function isSharedArrayBuffer(value: object): value is SharedArrayBuffer {
  return typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer;
}

function isBoxedPrimitive(value: object): boolean {
  return value instanceof String || value instanceof Number || value instanceof Boolean || value instanceof BigInt || value instanceof Symbol;
}

/** The `[object …]` tag of `value`: 'Object' for plain objects and instances of user classes. */
export function toStringTag(value: object): string {
  return Object.prototype.toString.call(value).slice(8, -1);
}
