/** Built-in types as the key sees them: brand checks, well-known symbols, page-local symbol ids. */

import type { Constructor } from './classes';

/** A getter or method of a built-in prototype, to check that a value really is of that type (brand check). */
function brandCheck(proto: object | undefined, name: string): ((value: object) => boolean) | undefined {
  // Found on the prototype chain: a polyfill or a subclass (happy-dom's URL) may inherit it.
  let descriptor: PropertyDescriptor | undefined;
  for (let from: object | null | undefined = proto; from && !descriptor; from = Object.getPrototypeOf(from) as object | null) {
    descriptor = Object.getOwnPropertyDescriptor(from, name);
  }
  const read = (descriptor?.get ?? descriptor?.value) as ((this: object) => unknown) | undefined;
  if (typeof read !== 'function') return undefined;
  return (value) => {
    try {
      read.call(value);
      return true;
    } catch {
      return false;
    }
  };
}

export const isMap = brandCheck(Map.prototype, 'size')!;
export const isSet = brandCheck(Set.prototype, 'size')!;
export const isDate = brandCheck(Date.prototype, 'getTime')!;
export const isRegExp = brandCheck(RegExp.prototype, 'source')!;
export const isArrayBuffer = brandCheck(ArrayBuffer.prototype, 'byteLength')!;
export const isSharedBuffer = brandCheck(typeof SharedArrayBuffer === 'undefined' ? undefined : SharedArrayBuffer.prototype, 'byteLength');
export const isBlob = brandCheck(typeof Blob === 'undefined' ? undefined : Blob.prototype, 'size');
export const isUrl = brandCheck(typeof URL === 'undefined' ? undefined : URL.prototype, 'href');
export const isSearchParams = brandCheck(typeof URLSearchParams === 'undefined' ? undefined : URLSearchParams.prototype, 'toString');
export const BOXES: [new (...args: never[]) => object, (value: object) => boolean][] = [String, Number, Boolean, BigInt, Symbol].map((box) => [
  box as unknown as new (...args: never[]) => object,
  brandCheck(box.prototype, 'valueOf')!,
]);
export const TYPED_ARRAY_PROTO: unknown = Object.getPrototypeOf(Uint8Array.prototype);
export const WELL_KNOWN_SYMBOLS = new Map<symbol, string>();
for (const name of Object.getOwnPropertyNames(Symbol)) {
  const value: unknown = (Symbol as unknown as Record<string, unknown>)[name];
  if (typeof value === 'symbol') WELL_KNOWN_SYMBOLS.set(value, name);
}

/** Page-local ids of unregistered symbols, held weakly where the engine allows symbols as WeakMap keys. */
const symbolIds: WeakMap<object, number> | Map<symbol, number> = canHoldSymbolsWeakly() ? new WeakMap() : new Map();
let nextSymbolId = 0;

function canHoldSymbolsWeakly(): boolean {
  try {
    new WeakMap().set(Symbol() as unknown as object, 0);
    return true;
  } catch {
    return false;
  }
}

/** A page-local number for unregistered symbol `symbol`, the same for as long as the page lives. */
export function symbolId(symbol: symbol): number {
  const ids = symbolIds as Map<symbol, number>;
  let id = ids.get(symbol);
  if (id === undefined) ids.set(symbol, (id = nextSymbolId++));
  return id;
}

export function isDetached(buffer: ArrayBufferLike): boolean {
  const detached = (buffer as { detached?: unknown }).detached;
  if (typeof detached === 'boolean') return detached;
  try {
    new Uint8Array(buffer);
    return false;
  } catch {
    return true;
  }
}

/** Whether `name` is an array index. */
export function isIndex(name: string): boolean {
  return String(Number(name) >>> 0) === name && name !== '4294967295';
}

/** The class whose prototype `proto` is (its own `constructor`), or undefined for an ordinary object. */
export function classOf(proto: unknown): Constructor | undefined {
  if (proto === null || typeof proto !== 'object') return undefined;
  const descriptor = Object.getOwnPropertyDescriptor(proto, 'constructor');
  const ctor: unknown = descriptor?.value;
  return typeof ctor === 'function' && (ctor as { prototype?: unknown }).prototype === proto ? (ctor as Constructor) : undefined;
}
