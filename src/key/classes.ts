/**
 * What the key knows of a class: who it is (by identity in memory, by name and source on disk)
 * and whether its instances hide state in private fields.
 */

import { sha256OfTextSync } from './sha256';

/** A class (or any function), as far as the key cares: its name, source and prototype chain. */
export type Constructor = (abstract new (...args: never[]) => unknown) | ((...args: never[]) => unknown);

/** A class that cannot be named on disk: the reason, for the refusal. */
export interface RefusedClass {
  readonly refused: string;
}

const memoryIds = new WeakMap<Constructor, string>();
const diskIds = new WeakMap<Constructor, string>();
/** The live class of each disk identity: a second, different class with the same name and source cannot be told apart. */
const diskOwners = new Map<string, WeakRef<Constructor>>();
let nextId = 0;

/**
 * The identity of class `ctor` in a key. In memory, the class itself (two classes both named
 * `Point` differ); persistent keys need a name that means the same in the next page: the class
 * name and a SHA-256 of its source. Two live classes of one name and source (made by one factory)
 * are refused there, since their instances could not be told apart after a reload.
 */
export function classIdentity(ctor: Constructor, persistent: boolean): string | RefusedClass {
  if (!persistent) {
    let id = memoryIds.get(ctor);
    if (id === undefined) memoryIds.set(ctor, (id = `${ctor.name}#${nextId++}`));
    return id;
  }
  let id = diskIds.get(ctor);
  if (id === undefined) {
    id = `${ctor.name}@${sha256OfTextSync(Function.prototype.toString.call(ctor)).slice(0, 16)}`;
    diskIds.set(ctor, id);
  }
  const owner = diskOwners.get(id)?.deref();
  if (owner === undefined) diskOwners.set(id, new WeakRef(ctor));
  else if (owner !== ctor) {
    return {
      refused: `two different classes named ${ctor.name || '(anonymous)'} with the same source live in this page (made by one factory?), and a stored result could not tell their instances apart after a reload`,
    };
  }
  return id;
}

/** A private field declaration (`#balance;`, `#balance = 0`), not a use (`this.#balance`) or a method (`#check()`). */
const PRIVATE_FIELD = /(?:^|[\s{};])(#[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*)\s*(?:[=;}]|$|\/[/*])/mu;
const privateFields = new WeakMap<Constructor, string | null>();

/**
 * The first private field (`#name`) declared by `ctor` or a class it extends, read from their
 * source; undefined if none. Private fields hold state no code outside the class can read, so
 * the key cannot see it. (State kept in closures or WeakMaps cannot be detected at all.)
 */
export function privateFieldOf(ctor: Constructor): string | undefined {
  let found = privateFields.get(ctor);
  if (found === undefined) {
    found = null;
    let source = '';
    try {
      source = Function.prototype.toString.call(ctor);
    } catch {
      // A revoked Proxy of a class: nothing to read.
    }
    const match = PRIVATE_FIELD.exec(source);
    if (match) found = match[1]!;
    else {
      const parent: unknown = Object.getPrototypeOf(ctor);
      if (typeof parent === 'function' && parent !== Function.prototype) found = privateFieldOf(parent as Constructor) ?? null;
    }
    privateFields.set(ctor, found);
  }
  return found ?? undefined;
}

/**
 * Why `fn`'s source text cannot name its stored results: a bound function, a native one or a
 * Proxy of a function all read `function … { [native code] }`; undefined for ordinary functions.
 */
export function opaqueSource(fn: Constructor): string | undefined {
  let source: string;
  try {
    source = Function.prototype.toString.call(fn);
  } catch {
    return 'a function whose source cannot be read';
  }
  if (!/\{\s*\[native code\]\s*\}\s*$/.test(source)) return undefined;
  return fn.name.startsWith('bound ') ? `a bound function (${fn.name})` : `a native or proxied function (${fn.name || 'anonymous'})`;
}
