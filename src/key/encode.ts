/**
 * Canonical, type-tagged encoding of a call's arguments.
 *
 * Every value is written as a tag followed by a self-delimiting body (strings carry their length,
 * containers their brackets), so two encodings are equal exactly when the values are equal in the
 * sense users expect: `1`, `'1'`, `1n` and `true` differ; key order of plain objects and insertion
 * order of Sets and Maps do not matter; equal cyclic structures encode alike.
 *
 * The rule: two argument lists share a key only if no function could tell them apart by their own
 * visible state. A value whose state the encoder cannot see in full (private fields, an instance
 * with no visible state, platform objects) is refused, never merged with another.
 */

import { IdbMemoTypeError, messageOf } from '../errors';
import { aliasedKey } from './alias';
import {
  BOXES,
  classOf,
  isArrayBuffer,
  isBlob,
  isDate,
  isDetached,
  isIndex,
  isMap,
  isRegExp,
  isSet,
  isSearchParams,
  isSharedBuffer,
  isUrl,
  symbolId,
  TYPED_ARRAY_PROTO,
  WELL_KNOWN_SYMBOLS,
} from './builtins';
import { classIdentity, opaqueSource, privateFieldOf, type Constructor } from './classes';
import { NO_HOLES, Parts, resolve, type Hole } from './draft';
import { sha256OfTextSync } from './sha256';
import { bytesOfLongString, encodeString, INLINE_STRING_LENGTH, knownLongString, rememberLongString } from './strings';

export { forgetLongStrings, INLINE_STRING_LENGTH } from './strings';

/** A custom hasher: values it matches are keyed by what `hash` returns instead of by their content. */
export interface HashFunc {
  /** Whether this hasher handles `value`. */
  readonly matches: (value: unknown) => boolean;
  /** A keyable stand-in for `value` (a string, number, plain object…). */
  readonly hash: (value: unknown) => unknown;
}

/** An encoded key: the text, plus the large binary parts whose digests complete it. */
export interface EncodedKey {
  /** The key itself when `binaries` is empty; otherwise a draft with the digests left out. */
  readonly text: string;
  /** Large binary contents (in order of appearance) to be digested; empty for most keys. */
  readonly binaries: readonly (Uint8Array | Blob)[];
  /**
   * The final key, given the digests of `binaries` (same order). Nothing is read from the
   * arguments again: the draft keeps the place of each digest, and the Sets and Maps holding
   * large binaries are sorted once their digests are known.
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
/** A key text longer than this is replaced by its SHA-256, so that a key costs bounded memory. */
export const MAX_KEY_LENGTH = 4096;
/** Arrays longer than this are refused (a typed array keys millions of numbers far faster). */
export const MAX_ARRAY_LENGTH = 10_000_000;
/** Containers nested deeper than this are refused instead of risking a stack overflow. */
export const MAX_DEPTH = 1000;

const objectProto = Object.prototype;
const arrayProto = Array.prototype;

/**
 * Encodes `args` (and `self` when it is part of the key) canonically. `persistent` keys (of
 * `toDisk` functions) must mean the same in every page: values known by identity only (a
 * `Symbol()`, a class) are written by stable names, or refused.
 * @throws UnkeyableValueError naming the path of a value that cannot be keyed
 */
export function encodeKey(args: readonly unknown[], self: unknown, hashFuncs: readonly HashFunc[], persistent = false): EncodedKey {
  if (self === undefined && hashFuncs.length === 0) {
    // Fast paths: the most common memoized call, one string or number argument; then plain data seen before.
    if (args.length === 1) {
      const only = args[0];
      if (typeof only === 'string' && only.length <= INLINE_STRING_LENGTH) return complete(`1|s${only.length}:${only}`);
      if (typeof only === 'number') return complete(`1|${encodeNumber(only)}`);
    }
    const known = aliasedKey(args, encodePlainData);
    if (known !== undefined) return complete(known);
  }
  const encoder = new Encoder(hashFuncs, undefined, persistent);
  try {
    encoder.encodeCall(args, self);
    const { out, holes, binaries, onDigest } = encoder;
    if (binaries.length === 0) return complete(bounded(out));
    return {
      text: out,
      binaries,
      complete: (digests) => {
        if (onDigest) onDigest.forEach((remember, i) => remember(digests[i]!));
        return bounded(resolve(out, holes, digests));
      },
    };
  } catch (error) {
    if (!(error instanceof UnkeyableValueError)) {
      // A small stack can overflow before MAX_DEPTH; report that as the same clear error.
      if (!(error instanceof RangeError)) throw error;
      // The path would overflow again: name the argument that was being encoded.
      const tooDeep = new UnkeyableValueError('the value is nested too deeply to key');
      tooDeep.path = encoder.currentLabel;
      throw tooDeep;
    }
    // Encode again, tracking the path this time: paths cost nothing on the usual, successful run.
    const path: PathSegment[] = [];
    try {
      new Encoder(hashFuncs, path, persistent).encodeCall(args, self);
    } catch (traced) {
      if (traced instanceof UnkeyableValueError) error.path = formatPath(path);
    }
    throw error;
  }
}

/** Encodes arguments known to be plain data (which cannot fail). */
function encodePlainData(args: readonly unknown[]): string {
  const encoder = new Encoder([], undefined, false);
  encoder.encodeCall(args, undefined);
  return encoder.out;
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
const PROTOTYPE: PathSegment = { label: '<prototype>' };
const CAUSE: PathSegment = { label: '.cause' };
const ERRORS: PathSegment = { label: '.errors' };

const NO_BINARIES: readonly Uint8Array[] = Object.freeze([]);
/** Shared until an encoder meets its first large binary: most keys have none. */
const NO_LARGE: (Uint8Array | Blob)[] = [];

/** A key without large binaries: its text is final. */
function complete(text: string): EncodedKey {
  return { text, binaries: NO_BINARIES, complete: finalText };
}

function finalText(this: EncodedKey): string {
  return this.text;
}

/** A key text, or its digest when it is long (a distinct tag: no key text starts with `K`). */
function bounded(text: string): string {
  return text.length <= MAX_KEY_LENGTH ? text : `K${sha256OfTextSync(text)}`;
}

function encodeNumber(n: number): string {
  // -0 and 0 are one key, as in Map and Set; NaN equals NaN.
  return `d${n === 0 ? 0 : n};`;
}



class Encoder {
  /** The text written so far. */
  out = '';
  /** Where the digests of large binaries go in `out`, in order. */
  holes: Hole[] = NO_HOLES;
  /** Large binary contents met, to be digested. */
  binaries: (Uint8Array | Blob)[] = NO_LARGE;
  /** What to do with some of their digests (remember those of long strings), by index. */
  onDigest: ((digest: string) => void)[] | undefined;
  /** Objects on the current path, to write cycles as back-references (a short array beats a Map here). */
  private readonly ancestors: object[] = [];
  /** Levels of hashFuncs stand-ins on the current path. */
  private hashedDepth = 0;

  /**
   * @param hashFuncs - custom hashers, checked first
   * @param path - when given, kept pointing at the value being encoded, so that after a throw it
   *   names the value that could not be keyed
   * @param persistent - the key must mean the same in every page (see {@link encodeKey})
   */
  constructor(
    private readonly hashFuncs: readonly HashFunc[],
    private readonly path: PathSegment[] | undefined,
    private readonly persistent: boolean,
  ) {}

  encodeCall(args: readonly unknown[], self: unknown): void {
    if (self !== undefined) {
      this.out += 't';
      this.path?.push(THIS);
      // A class (a static method's `this`) or function by identity; an instance or plain object by
      // its data; a built-in (an Array, a Map subclass…), a primitive or a platform object (refused)
      // as an argument would be.
      if (typeof self === 'function') this.out += `F${this.classId(self as Constructor)}`;
      else if (typeof self === 'object' && self !== null && isInstanceData(self)) this.writeSelf(self);
      else this.write(self);
      this.path?.pop();
    }
    this.out += `${args.length}|`;
    for (let i = 0; i < args.length; i++) {
      this.current = i;
      this.child(args[i], this.path && { label: `args[${i}]` });
    }
  }

  /** The argument being encoded (`this` before the first), for errors that cannot trace a path. */
  private current: number | undefined;

  get currentLabel(): string {
    return this.current === undefined ? 'this' : `args[${this.current}]`;
  }

  /**
   * A method's `this`: its class and own enumerable data (function-valued fields skipped). Unlike
   * an argument, an instance with no data is accepted: all instances of a stateless class agree.
   */
  private writeSelf(self: object): void {
    const proto: unknown = Object.getPrototypeOf(self);
    const ctor = classOf(proto);
    if (ctor !== undefined) this.checkPrivateState(ctor);
    const data: Record<string, unknown> = {};
    for (const name of Object.keys(self)) {
      const value = (self as Record<string, unknown>)[name];
      if (typeof value !== 'function') data[name] = value;
    }
    this.out += ctor === undefined ? 'c' : `c${this.classId(ctor)}`;
    // An ordinary object used as prototype (`Object.create({ lang: 'fr' })`): its data is read through `this` too.
    if (ctor === undefined && proto !== null && typeof proto === 'object') {
      if (this.depth >= MAX_DEPTH) throw new UnkeyableValueError(`the prototype chain is more than ${MAX_DEPTH} levels deep`);
      this.out += 'p';
      this.hashedDepth++;
      this.writeSelf(proto);
      this.hashedDepth--;
    }
    this.writeFields(data);
  }

  /** Encodes `value`, found at `segment` of the current container (a segment is needed only when tracking the path). */
  private child(value: unknown, segment: PathSegment | undefined): void {
    if (this.path === undefined || segment === undefined) return this.write(value);
    this.path.push(segment);
    this.write(value);
    this.path.pop();
  }

  private write(value: unknown): void {
    if (this.hashFuncs.length > 0) {
      for (let i = 0; i < this.hashFuncs.length; i++) {
        const hashFunc = this.hashFuncs[i]!;
        if (hashFunc.matches(value)) {
          this.out += `H${i};`;
          return this.writeHashed(hashFunc.hash(value));
        }
      }
    }
    switch (typeof value) {
      case 'string':
        return this.writeString(value);
      case 'number':
        this.out += encodeNumber(value);
        return;
      case 'boolean':
        this.out += value ? 'T' : 'F';
        return;
      case 'undefined':
        this.out += 'u';
        return;
      case 'bigint': {
        const digits = value.toString(36);
        this.out += digits.length <= INLINE_STRING_LENGTH ? `b${digits};` : `b${encodeString(digits)}`;
        return;
      }
      case 'symbol':
        this.out += this.encodeSymbol(value);
        return;
      case 'function':
        throw new UnkeyableValueError(`a function (${value.name || 'anonymous'}) has no content to key by`);
      case 'object':
        if (value === null) this.out += 'n';
        else this.writeObject(value);
    }
  }

  /** A string: its text, or for a long one (like a large binary) its length and digest. */
  private writeString(s: string): void {
    if (s.length <= INLINE_STRING_LENGTH) {
      this.out += `s${s.length}:${s}`;
      return;
    }
    const known = knownLongString(s);
    if (known !== undefined) {
      this.out += known;
      return;
    }
    const [form, bytes] = bytesOfLongString(s);
    const head = `z${s.length}${form}#`;
    this.out += head;
    this.addBinary(bytes, (digest) => rememberLongString(s, `${head}${digest};`));
    this.out += ';';
  }

  private get depth(): number {
    return this.ancestors.length + this.hashedDepth;
  }

  /** A hasher's stand-in; counted as a level so that a hasher returning its input cannot loop forever. */
  private writeHashed(standIn: unknown): void {
    if (this.depth >= MAX_DEPTH) throw new UnkeyableValueError(`a hashFuncs entry nests more than ${MAX_DEPTH} levels deep`);
    this.hashedDepth++;
    this.write(standIn);
    this.hashedDepth--;
  }

  private writeObject(value: object): void {
    const ancestors = this.ancestors;
    const seenAt = ancestors.lastIndexOf(value);
    if (seenAt !== -1) {
      this.out += `r${ancestors.length - seenAt};`;
      return;
    }
    if (this.depth >= MAX_DEPTH) throw new UnkeyableValueError(`the value is nested more than ${MAX_DEPTH} levels deep`);
    // No try/finally: an encoder that threw is discarded, so its ancestors need no cleanup.
    ancestors.push(value);
    this.writeContent(value);
    ancestors.pop();
  }

  private writeContent(value: object): void {
    const proto: unknown = Object.getPrototypeOf(value);
    if (Array.isArray(value)) {
      if (proto === arrayProto) return this.writeArray(value);
      // A subclass: its class and own named fields count too (those of a plain array are left out,
      // since listing them would list every index).
      this.writeSubclass(proto, 'an Array');
      this.writeArray(value);
      return this.writeFieldsNamed(value, Object.keys(value).filter((name) => !isIndex(name)));
    }
    if (proto === objectProto || proto === null) {
      // A namespace object (Math, JSON, a module) has no enumerable data of its own: its tag tells it apart from {}.
      const tag = (value as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag];
      this.out += typeof tag === 'string' ? `g${encodeString(tag)}` : 'o';
      return this.writeFields(value);
    }
    if (ArrayBuffer.isView(value)) {
      const builtin = Object.getPrototypeOf(proto) === TYPED_ARRAY_PROTO || proto === DataView.prototype;
      if (!builtin) this.writeSubclass(proto, `a ${toStringTag(value)}`);
      // Named fields of a typed array are left out: listing them would list every index too.
      this.out += `V${encodeString(toStringTag(value))}`;
      if (isDetached(value.buffer)) return void (this.out += '-');
      return this.writeBytes(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    }
    const shared = typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer;
    if (shared || value instanceof ArrayBuffer) {
      // Brand checks throw for impostors: only values that claim the type pay for one.
      if (shared ? !isSharedBuffer?.(value) : !isArrayBuffer(value)) throw notReally('an ArrayBuffer');
      this.writeBuiltinClass(proto, ArrayBuffer.prototype, shared ? SharedArrayBuffer.prototype : undefined);
      this.out += 'A';
      // A detached buffer (transferred to a worker) has no bytes left, and says so: it is not an empty one.
      if (isDetached(value as ArrayBuffer)) return void (this.out += '-');
      return this.writeBytes(new Uint8Array(value as ArrayBuffer));
    }
    if (value instanceof Date) {
      if (!isDate(value)) throw notReally('a Date');
      this.writeBuiltinClass(proto, Date.prototype);
      this.out += `D${Date.prototype.getTime.call(value)};`;
      return this.writeFields(value);
    }
    if (value instanceof RegExp) {
      if (!isRegExp(value)) throw notReally('a RegExp');
      this.writeBuiltinClass(proto, RegExp.prototype);
      this.out += `R${encodeString(value.source)}${encodeString(value.flags)}`;
      return this.writeFields(value);
    }
    if (value instanceof Map) {
      if (!isMap(value)) throw notReally('a Map');
      this.writeBuiltinClass(proto, Map.prototype);
      this.writeMap(value);
      return this.writeFields(value);
    }
    if (value instanceof Set) {
      if (!isSet(value)) throw notReally('a Set');
      this.writeBuiltinClass(proto, Set.prototype);
      this.writeSet(value);
      return this.writeFields(value);
    }
    if (typeof Blob !== 'undefined' && value instanceof Blob) {
      if (isBlob && !isBlob(value)) throw notReally('a Blob');
      return this.writeBlob(value, proto);
    }
    for (const [Box, isBox] of BOXES) {
      if (value instanceof Box) {
        if (!isBox(value)) throw notReally(`a boxed ${Box.name}`);
        this.writeBuiltinClass(proto, Box.prototype);
        this.out += 'B';
        this.write((value as { valueOf(): unknown }).valueOf());
        // A String box has a field per character: only its other fields are written.
        return this.writeFields(value, value instanceof String ? value.length : 0);
      }
    }
    if (value instanceof Error) return this.writeError(value, proto);
    if (typeof URL !== 'undefined' && value instanceof URL) {
      if (isUrl && !isUrl(value)) throw notReally('a URL');
      this.writeBuiltinClass(proto, URL.prototype);
      this.out += `U${encodeString(value.href)}`;
      return;
    }
    if (typeof URLSearchParams !== 'undefined' && value instanceof URLSearchParams) {
      if (isSearchParams && !isSearchParams(value)) throw notReally('a URLSearchParams');
      this.writeBuiltinClass(proto, URLSearchParams.prototype);
      this.out += `Q${encodeString(URLSearchParams.prototype.toString.call(value))}`;
      return;
    }
    if (typeof Headers !== 'undefined' && value instanceof Headers) {
      let entries: [string, string][];
      try {
        entries = [...Headers.prototype.entries.call(value)];
      } catch {
        throw notReally('a Headers');
      }
      this.writeBuiltinClass(proto, Headers.prototype);
      this.out += 'h';
      return this.write(entries);
    }
    const tag = toStringTag(value);
    if (tag !== 'Object') {
      // A platform object (WeakMap, Promise, DOM node, Request…) keeps its state in internal slots:
      // its own fields say nothing about it, so two different ones would share a key.
      throw new UnkeyableValueError(`a ${tag} keeps its content out of reach, so it cannot be keyed by content`);
    }
    const ctor = classOf(proto);
    if (ctor !== undefined && ctor.name === 'Object' && Object.getPrototypeOf(proto) === null) {
      // A plain object of another realm (an iframe's `{}`): plain data all the same.
      this.out += 'o';
      return this.writeFields(value);
    }
    if (ctor === undefined) {
      // Data on an ordinary object used as prototype (`Object.create({ a: 1 })`) is visible through
      // the value: the prototype is part of the key.
      this.out += 'p';
      this.child(proto, PROTOTYPE);
      return this.writeFields(value);
    }
    this.checkPrivateState(ctor);
    const names = Object.keys(value);
    if (names.length === 0) {
      throw new UnkeyableValueError(
        `an instance of ${ctor.name || 'an anonymous class'} has no own enumerable data, so only its identity (or state kept in closures or WeakMaps) could tell it apart`,
      );
    }
    this.out += `c${this.classId(ctor)}`;
    this.writeFieldsNamed(value, names);
  }

  /** Refuses instances of classes that keep state in private fields, which no one outside can read. */
  private checkPrivateState(ctor: Constructor): void {
    const field = privateFieldOf(ctor);
    if (field !== undefined) {
      throw new UnkeyableValueError(
        `an instance of ${ctor.name || 'an anonymous class'} keeps state in private fields (${field}) that the key cannot see`,
      );
    }
  }

  private classId(ctor: Constructor): string {
    const id = classIdentity(ctor, this.persistent);
    if (typeof id !== 'string') throw new UnkeyableValueError(id.refused);
    return encodeString(id);
  }

  /** A subclass of a built-in type: its class, then (after the built-in content) its own fields. */
  private writeSubclass(proto: unknown, what: string): void {
    const ctor = classOf(proto);
    if (ctor === undefined) throw new UnkeyableValueError(`${what} with an unusual prototype cannot be keyed`);
    this.checkPrivateState(ctor);
    this.out += `x${this.classId(ctor)}`;
  }

  /** Writes the class of a value of a built-in type when it is a subclass (`proto` is not one of `builtins`). */
  private writeBuiltinClass(proto: unknown, ...builtins: (object | undefined)[]): void {
    if (!builtins.includes(proto as object)) this.writeSubclass(proto, 'a value of a built-in type');
  }

  private writeArray(array: unknown[]): void {
    // A sparse array can claim billions of slots; keying it would hang the page.
    if (array.length > MAX_ARRAY_LENGTH) throw new UnkeyableValueError(`an array of ${array.length} elements is too long to key`);
    this.out += `a${array.length}[`;
    for (let i = 0; i < array.length; i++) {
      const item = array[i];
      // A hole (`[, 1]`) is not an undefined element: `0 in array` tells them apart.
      if (item === undefined && !(i in array)) this.out += '_';
      else this.child(item, i);
    }
    this.out += ']';
  }

  /** Own enumerable string-keyed fields, in sorted key order; of a String box, those after its characters. */
  private writeFields(value: object, skip = 0): void {
    const names = Object.keys(value);
    this.writeFieldsNamed(value, skip === 0 ? names : names.slice(skip));
  }

  private writeFieldsNamed(value: object, names: string[]): void {
    if (!isSorted(names)) names.sort();
    this.out += '{';
    for (const name of names) {
      this.out += encodeString(name);
      this.child((value as Record<string, unknown>)[name], name);
    }
    this.out += '}';
  }

  private writeError(error: Error, proto: unknown): void {
    const ctor = classOf(proto);
    if (ctor !== undefined) this.checkPrivateState(ctor);
    // The stack is left out: it tells where an error was made, not what it says.
    this.out += `E${ctor === undefined ? '' : this.classId(ctor)}${encodeString(String(error.name))}${encodeString(String(error.message))}`;
    if (Object.prototype.hasOwnProperty.call(error, 'cause')) {
      this.out += 'C';
      this.child(error.cause, CAUSE);
    }
    if (Object.prototype.hasOwnProperty.call(error, 'errors')) {
      this.out += 'G';
      this.child((error as { errors?: unknown }).errors, ERRORS);
    }
    this.writeFields(error);
  }

  private writeBlob(blob: Blob, proto: unknown): void {
    const isFile = typeof File !== 'undefined' && blob instanceof File;
    this.writeBuiltinClass(proto, Blob.prototype, isFile ? File.prototype : undefined);
    if (isFile) {
      const file = blob as File;
      const relative = (file as { webkitRelativePath?: unknown }).webkitRelativePath;
      this.out += `F${encodeString(file.name)}${file.lastModified};${encodeString(typeof relative === 'string' ? relative : '')}`;
    }
    this.out += `L${encodeString(blob.type)}${blob.size}#`;
    this.addBinary(blob);
    this.out += ';';
    this.writeFields(blob);
  }

  /** Entries and members are encoded apart, then sorted: insertion order does not matter. */
  private writeMap(map: Map<unknown, unknown>): void {
    const parts = new Parts(this);
    // The built-in iterator (brand-checked), not the value's own, which a subclass may override.
    for (const [k, v] of Map.prototype.entries.call(map)) {
      parts.start();
      this.child(k, MAP_KEY);
      this.child(v, this.path && { label: `.get(${typeof k === 'string' || typeof k === 'number' ? k : '…'})` });
      parts.end();
    }
    parts.write('M');
  }

  private writeSet(set: Set<unknown>): void {
    const parts = new Parts(this);
    for (const member of Set.prototype.values.call(set)) {
      parts.start();
      this.child(member, SET_MEMBER);
      parts.end();
    }
    parts.write('S');
  }

  /** @internal */
  addHole(hole: Hole): void {
    if (this.holes === NO_HOLES) this.holes = [];
    this.holes.push(hole);
  }

  private writeBytes(bytes: Uint8Array): void {
    if (bytes.byteLength <= INLINE_BINARY_BYTES) {
      this.out += `${bytes.byteLength}:${String.fromCharCode.apply(null, bytes as unknown as number[])}`;
      return;
    }
    this.out += `${bytes.byteLength}#`;
    this.addBinary(bytes);
    this.out += ';';
  }

  /** Large content: a hole for its digest, filled once the digests are computed (and then told to `onDigest`). */
  private addBinary(content: Uint8Array | Blob, onDigest?: (digest: string) => void): void {
    if (this.binaries === NO_LARGE) this.binaries = [];
    this.addHole({ at: this.out.length, binary: this.binaries.length });
    this.binaries.push(content);
    if (onDigest) (this.onDigest ??= [])[this.binaries.length - 1] = onDigest;
  }

  /**
   * Registered symbols by their key and well-known ones by name, in every page; others by
   * identity, which lasts only as long as the page: refused in persistent keys.
   */
  private encodeSymbol(symbol: symbol): string {
    const registered = Symbol.keyFor(symbol);
    if (registered !== undefined) return `Y${encodeString(registered)}`;
    const wellKnown = WELL_KNOWN_SYMBOLS.get(symbol);
    if (wellKnown !== undefined) return `W${encodeString(wellKnown)}`;
    if (this.persistent) {
      throw new UnkeyableValueError(
        `a symbol made by Symbol(${symbol.description === undefined ? '' : JSON.stringify(symbol.description)}) exists only in this page, so a result stored on disk cannot be found by it again; use Symbol.for()`,
      );
    }
    return `y${symbolId(symbol)};`;
  }
}



function notReally(what: string): UnkeyableValueError {
  return new UnkeyableValueError(`an object that inherits from ${what} without being one (a Proxy or Object.create) keeps no content to key by`);
}


/** Whether `names` is already in the order `sort()` would give (the usual case for literal objects). */
function isSorted(names: string[]): boolean {
  for (let i = 1; i < names.length; i++) if (names[i - 1]! > names[i]!) return false;
  return true;
}


/** The built-in types the encoder keys by their content (subclasses included). */
const CONTENT_TYPES = [Map, Set, Date, RegExp, ArrayBuffer, Error, ...BOXES.map(([Box]) => Box)];

function isBuiltinValue(value: object): boolean {
  return Array.isArray(value) || ArrayBuffer.isView(value) || CONTENT_TYPES.some((type) => value instanceof type);
}

/**
 * Whether `self` keys by its own data: a plain object (whatever its tag: a module namespace), or an
 * instance of classes written in JavaScript only (a custom element extends a platform class: no).
 */
function isInstanceData(self: object): boolean {
  return !isBuiltinValue(self) && !hasPlatformClass(Object.getPrototypeOf(self));
}

/** Per prototype: whether a class of its chain is native (a platform class), read once (class sources can be long). */
const platformChains = new WeakMap<object, boolean>();

function hasPlatformClass(proto: unknown): boolean {
  if (proto === null || typeof proto !== 'object' || proto === Object.prototype) return false;
  let found = platformChains.get(proto);
  if (found === undefined) {
    const ctor = classOf(proto);
    found = (ctor !== undefined && opaqueSource(ctor) !== undefined) || hasPlatformClass(Object.getPrototypeOf(proto));
    platformChains.set(proto, found);
  }
  return found;
}

/** The `[object …]` tag of `value`: 'Object' for plain objects and instances of user classes. */
export function toStringTag(value: object): string {
  return Object.prototype.toString.call(value).slice(8, -1);
}
