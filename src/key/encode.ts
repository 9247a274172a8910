/**
 * The key rule: a call's arguments (and its `this`) as one canonical text.
 *
 * Plain data is keyed by value: primitives, plain and null-prototype objects (fields in sorted
 * order), arrays (holes apart from `undefined`), Maps and Sets (entries in order), Dates, RegExps,
 * URLs, binary data (ArrayBuffer, SharedArrayBuffer, typed arrays, DataView), Blobs and Files.
 * A value met twice in one call is written as a reference to its first place, so `[o, o]` and
 * `[{…}, {…}]` differ. Everything else (functions, class instances, tagged objects such as Math,
 * Proxies that list no field, symbols made by `Symbol()`, platform objects) is keyed by identity in
 * memory, and refused in a persistent (`toDisk`) key, where an identity cannot outlive the page.
 */

import { IdbMemoTypeError } from '../errors';

/** A custom hasher: values it matches are keyed by what `hash` returns instead. */
export interface HashFunc {
  readonly matches: (value: unknown) => boolean;
  readonly hash: (value: unknown) => unknown;
}

/** Content to digest before the key is final: large binaries, long strings, Blobs. */
export type Digestible = Uint8Array | Blob | string;

/** A key text, with the places where the digests of large contents go (none for most keys). */
export interface Draft {
  readonly text: string;
  /** Offsets in `text` where each digest goes, and what to digest, in order. */
  readonly holes: readonly (readonly [at: number, content: Digestible])[];
}

/** Thrown for a value that cannot be part of a key; its message names where it sits. */
export class UnkeyableValueError extends IdbMemoTypeError {
  constructor(
    /** Why the value cannot be keyed (left out of the production build). */
    readonly reason: string | false,
    /** Where it sits, e.g. `args[0].handler` or `this`. */
    readonly path = '',
  ) {
    super(
      'UNKEYABLE_VALUE',
      __DEV__ &&
        `idb-memo: cannot make a cache key from ${path || 'the arguments'}: ${reason}. Pass a \`key\` option that returns plain data, or a \`hashFuncs\` entry for this type`,
      path,
    );
    this.name = 'UnkeyableValueError';
  }
}

/** Every memory key starts with it, so that a single string argument can be its own key (see cache.ts). */
export const KEY_START = '\u0001';
/** Binary contents up to this many bytes are written into the text; larger ones are digested. */
const INLINE_BYTES = 1024;
/** Strings up to this many code units are written into the text; longer ones are digested. */
const INLINE_CHARS = 65_536;
/** Containers nested deeper than this are refused rather than risk a stack overflow. */
export const MAX_DEPTH = 1000;
/** Arrays longer than this are refused: a sparse array can claim billions of slots (a typed array keys millions of numbers far faster). */
const MAX_ARRAY_LENGTH = 10_000_000;

const objectProto = Object.prototype;
const arrayProto = Array.prototype;
const typedArrayProto: unknown = Object.getPrototypeOf(Uint8Array.prototype);
const ids = new WeakMap<object, number>();
let nextId = 0;
/** Verdicts of the Proxy probe, per object. */
const proxies = new WeakMap<object, boolean>();

/** A page-local number for `value`, the same for as long as it lives. */
function idOf(value: object | symbol): number {
  let id = ids.get(value as object);
  if (id === undefined) ids.set(value as object, (id = nextId++));
  return id;
}

/**
 * Whether an object that lists no field is a Proxy (which may serve data through its `get` trap
 * that nothing lists): structured clone refuses Proxies, and nothing else of a plain object.
 */
function isProxy(value: object): boolean {
  if (typeof structuredClone !== 'function') return false;
  let verdict = proxies.get(value);
  if (verdict === undefined) {
    try {
      structuredClone(value);
      verdict = false;
    } catch {
      verdict = true;
    }
    proxies.set(value, verdict);
  }
  return verdict;
}

/** Whether `self` is a `this` that no function reads: none, the global object, a module namespace. */
export function isNoThis(self: unknown): boolean {
  return (
    self === undefined ||
    self === globalThis ||
    (typeof self === 'object' && self !== null && Object.getPrototypeOf(self) === null && (self as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === 'Module')
  );
}

/**
 * The key draft of a call: `args` and (unless {@link isNoThis}) `self`. A `persistent` key refuses
 * what only identity tells apart.
 * @throws UnkeyableValueError naming the path of a value that cannot be keyed
 */
export function encodeCall(args: ArrayLike<unknown>, self: unknown, hashFuncs: readonly HashFunc[], persistent: boolean): Draft {
  try {
    return new Encoder(hashFuncs, persistent).call(args, self);
  } catch (error) {
    if (!(error instanceof UnkeyableValueError) && !(error instanceof RangeError)) throw error;
    // Encoded again with a path, to name where the value sits: paths cost nothing on the usual run.
    const traced = new Encoder(hashFuncs, persistent, []);
    try {
      traced.call(args, self);
    } catch (again) {
      if (again instanceof UnkeyableValueError) throw new UnkeyableValueError(again.reason, traced.where());
    }
    throw new UnkeyableValueError(__DEV__ && 'the value is nested too deeply to key', traced.where());
  }
}

class Encoder {
  out = KEY_START;
  holes: [number, Digestible][] | undefined;
  /** Objects keyed by value so far, in order (an array while few, then a map): a second meeting writes a reference. */
  private seen: object[] | undefined;
  private seenAt: Map<object, number> | undefined;
  private depth = 0;

  constructor(
    private readonly hashFuncs: readonly HashFunc[],
    private readonly persistent: boolean,
    /** Kept pointing at the value being encoded when given (the second, traced run). */
    private readonly path?: string[],
  ) {}

  call(args: ArrayLike<unknown>, self: unknown): Draft {
    if (!isNoThis(self)) {
      this.out += 't';
      this.path?.push('this');
      this.self(self);
      this.path?.pop();
    }
    this.out += `${args.length}:`;
    for (let i = 0; i < args.length; i++) this.child(args[i], `args[${i}]`);
    return { text: this.out, holes: this.holes ?? [] };
  }

  /** The path of the value being encoded, cut in the middle when long (a value nested a thousand levels deep). */
  where(): string {
    const path = this.path ?? [];
    return (path.length > 12 ? [...path.slice(0, 6), '…', ...path.slice(-5)] : path).join('');
  }

  /**
   * A `this`: by identity and its own fields in memory, so that two instances never share an
   * entry whatever they hide, and a changed field is a new key; by value in a persistent key,
   * where only plain data can stand.
   */
  private self(self: unknown): void {
    if (typeof self !== 'object' || self === null || this.persistent) return this.value(self);
    this.out += `&${idOf(self)};`;
    this.fields(self, Object.keys(self));
  }

  private child(value: unknown, segment: string): void {
    if (!this.path) return this.value(value);
    this.path.push(segment);
    this.value(value);
    this.path.pop();
  }

  private value(value: unknown): void {
    for (const hashFunc of this.hashFuncs) {
      if (hashFunc.matches(value)) {
        if (++this.depth > MAX_DEPTH) throw new UnkeyableValueError(__DEV__ && `a hashFuncs entry nests more than ${MAX_DEPTH} levels deep`);
        this.out += 'H';
        this.value(hashFunc.hash(value));
        this.depth--;
        return;
      }
    }
    switch (typeof value) {
      case 'string':
        return this.string(value);
      case 'number':
        // -0 and 0 are one key, as in Map and Set.
        this.out += `d${value === 0 ? 0 : value};`;
        return;
      case 'boolean':
        this.out += value ? 'T' : 'F';
        return;
      case 'undefined':
        this.out += 'u';
        return;
      case 'bigint':
        this.out += `b${value};`;
        return;
      case 'symbol': {
        const registered = Symbol.keyFor(value);
        if (registered !== undefined) return void (this.out += `Y${registered.length}:${registered}`);
        return this.identity(value, __DEV__ && `a symbol made by Symbol(${value.description ?? ''})`);
      }
      case 'function':
        return this.identity(value, __DEV__ && `a function (${value.name || 'anonymous'})`);
      default:
        if (value === null) this.out += 'n';
        else this.object(value as object);
    }
  }

  private string(s: string): void {
    if (s.length <= INLINE_CHARS) this.out += `s${s.length}:${s}`;
    else this.hole(`z${s.length}#`, s);
  }

  /** A value known by identity only: its page-local id in memory; refused where the key must outlive the page. */
  private identity(value: object | symbol, what: string | false): void {
    if (this.persistent) throw new UnkeyableValueError(__DEV__ && `${what as string} is known by identity only, which a stored result cannot outlive`);
    this.out += `&${idOf(value)};`;
  }

  private object(value: object): void {
    const seen = (this.seen ??= []);
    if (!this.seenAt && seen.length >= 32) this.seenAt = new Map(seen.map((object, i) => [object, i]));
    const at = this.seenAt ? (this.seenAt.get(value) ?? -1) : seen.indexOf(value);
    if (at !== -1) return void (this.out += `^${at};`);
    if (++this.depth > MAX_DEPTH) throw new UnkeyableValueError(__DEV__ && `the value is nested more than ${MAX_DEPTH} levels deep`);
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === objectProto || proto === null) {
      const names = Object.keys(value);
      // A tagged object (Math, JSON, a namespace) keeps its state in fields it does not list.
      if (Symbol.toStringTag in value) this.identity(value, __DEV__ && `a ${String((value as { [Symbol.toStringTag]: unknown })[Symbol.toStringTag])} object (tagged, not plain data)`);
      else if (names.length === 0 && isProxy(value)) this.identity(value, __DEV__ && 'a Proxy that lists no field');
      // Fields a function can read but the key would not list: not plain data.
      else if (Reflect.ownKeys(value).length !== names.length) this.identity(value, __DEV__ && 'an object with non-enumerable or symbol-keyed fields (not plain data)');
      else {
        this.met(value);
        this.out += proto === null ? 'O' : 'o';
        this.fields(value, names);
      }
    } else if (proto === arrayProto && Array.isArray(value)) {
      this.met(value);
      this.array(value as unknown[]);
    } else {
      this.met(value);
      this.builtin(value, proto);
    }
    this.depth--;
  }

  /** Notes that `value` is keyed by value here: met again, it is written as a reference to this place. */
  private met(value: object): void {
    this.seenAt?.set(value, this.seen!.length);
    this.seen!.push(value);
  }

  /** Own enumerable string-keyed fields, in sorted order. */
  private fields(value: object, names: string[]): void {
    if (!isSorted(names)) names.sort();
    this.out += `{${names.length}:`;
    for (const name of names) {
      this.out += `${name.length}:${name}`;
      this.child((value as Record<string, unknown>)[name], `.${name}`);
    }
    this.out += '}';
  }

  private array(array: unknown[]): void {
    if (array.length > MAX_ARRAY_LENGTH) throw new UnkeyableValueError(__DEV__ && `an array of ${array.length} elements is too long to key`);
    this.out += `a${array.length}[`;
    for (let i = 0; i < array.length; i++) {
      const item = array[i];
      // A hole (`[, 1]`) is not an undefined element: `0 in array` tells them apart.
      if (item === undefined && !(i in array)) this.out += '_';
      else this.child(item, `[${i}]`);
    }
    this.out += ']';
  }

  /**
   * The built-in types keyed by value (exact prototypes: a subclass may hold more), else identity.
   * A look-alike that fails the built-in's brand check (a Proxy of a Map, as reactive frameworks
   * make) is keyed by identity too.
   */
  private builtin(value: object, proto: unknown): void {
    const at = this.out.length;
    const holes = this.holes?.length ?? 0;
    try {
      this.content(value, proto);
    } catch (error) {
      if (!(error instanceof TypeError) || error instanceof IdbMemoTypeError) throw error;
      this.out = this.out.slice(0, at);
      this.holes?.splice(holes);
      this.identity(value, __DEV__ && `${describeInstance(proto)} look-alike (a Proxy?) that fails its brand check`);
    }
  }

  private content(value: object, proto: unknown): void {
    if (ArrayBuffer.isView(value) && (Object.getPrototypeOf(proto) === typedArrayProto || proto === DataView.prototype)) {
      this.out += `V${(proto as { constructor: { name: string } }).constructor.name};`;
      return this.bytes(value.buffer, () => new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    }
    if (proto === ArrayBuffer.prototype || (typeof SharedArrayBuffer === 'function' && proto === SharedArrayBuffer.prototype)) {
      this.out += proto === ArrayBuffer.prototype ? 'A' : 'B';
      return this.bytes(value as ArrayBuffer, () => new Uint8Array(value as ArrayBuffer));
    }
    if (proto === Date.prototype) return void (this.out += `D${Date.prototype.getTime.call(value)};`);
    if (proto === RegExp.prototype) {
      const { source, flags } = value as RegExp;
      return void (this.out += `R${source.length}:${source}/${flags};`);
    }
    if (proto === Map.prototype) return this.entries('M', Map.prototype.entries.call(value as Map<unknown, unknown>), (value as Map<unknown, unknown>).size);
    if (proto === Set.prototype) return this.entries('S', Set.prototype.values.call(value as Set<unknown>), (value as Set<unknown>).size);
    if (typeof URL === 'function' && proto === URL.prototype) return this.tagged('U', (value as URL).href);
    if (typeof URLSearchParams === 'function' && proto === URLSearchParams.prototype) return this.tagged('Q', String(value));
    if (typeof Blob === 'function' && value instanceof Blob && (proto === Blob.prototype || (typeof File === 'function' && proto === File.prototype))) {
      const file = proto === Blob.prototype ? undefined : (value as File);
      this.out += file ? `I${file.name.length}:${file.name}${file.lastModified};` : 'L';
      return this.hole(`${value.type.length}:${value.type}${value.size}#`, value);
    }
    this.identity(value, __DEV__ && `${describeInstance(proto)} (not plain data)`);
  }

  private tagged(tag: string, text: string): void {
    this.out += tag;
    this.string(text);
  }

  /** The entries of a Map (each key, then its value) or the members of a Set, in order. */
  private entries(tag: string, items: IterableIterator<unknown>, size: number): void {
    this.out += `${tag}${size}[`;
    let i = 0;
    for (const item of items) {
      if (tag === 'S') this.child(item, `<member ${i++}>`);
      else {
        this.child((item as [unknown, unknown])[0], `<key ${i}>`);
        this.child((item as [unknown, unknown])[1], `<value ${i++}>`);
      }
    }
    this.out += ']';
  }

  private bytes(buffer: ArrayBufferLike, view: () => Uint8Array): void {
    let bytes: Uint8Array;
    try {
      if ((buffer as { detached?: boolean }).detached) throw new TypeError();
      bytes = view();
    } catch {
      // A detached buffer (transferred to a worker) has no bytes left, and says so.
      return void (this.out += '-');
    }
    if (bytes.byteLength > INLINE_BYTES) return this.hole(`${bytes.byteLength}#`, bytes);
    let text = '';
    for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]!);
    this.out += `${bytes.byteLength}:${text}`;
  }

  /** Writes `head`, then a place for the digest of `content` (with its own closing `;`). */
  private hole(head: string, content: Digestible): void {
    this.out += head;
    (this.holes ??= []).push([this.out.length, content]);
    this.out += ';';
  }
}

/** Whether `names` is already in the order `sort()` gives (the usual case for literal objects). */
function isSorted(names: string[]): boolean {
  for (let i = 1; i < names.length; i++) if (names[i - 1]! > names[i]!) return false;
  return true;
}

/** `an instance of Point`, for messages. */
function describeInstance(proto: unknown): string {
  const name = (proto as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  return typeof name === 'string' && name ? `an instance of ${name}` : 'an object of a class';
}
