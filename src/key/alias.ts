/**
 * A memo of canonical keys for arguments made of small plain data: strings, finite numbers,
 * booleans, null, arrays and plain objects. Apps call a memoized function again and again with
 * equal arguments built by the same code (`load({ id, page })`), and the canonical encoding
 * (sorted keys, type tags) costs more than the rest of a memory hit. For such data the engine's
 * native `JSON.stringify` is an exact name of the content, in the caller's field order: it maps to
 * the canonical key, computed once. Values JSON would blur (undefined, NaN, Dates, Maps, class
 * instances…) never come here, so two different contents never share a name.
 */

/**
 * Arguments worth remembering have a JSON text of at most this many characters. The memo pays off
 * on small arguments, where the encoding's fixed costs dominate; larger ones take about as long to
 * stringify as to encode. The walk that checks the data counts its characters roughly as it goes,
 * so that a large argument is left to the encoder before anything is stringified.
 */
const MAX_NAME_LENGTH = 512;
/** Characters held by the memo (names and keys); it starts afresh when full, keeping every operation O(1). */
const MAX_HELD_CHARS = 1 << 20;

const aliases = new Map<string, string>();
let heldChars = 0;
const objectProto = Object.prototype;
const arrayProto = Array.prototype;

/**
 * The canonical key of `args`, by `encode`, remembered under their JSON text; `undefined` when
 * `args` are not small plain data holding an object or array (the caller encodes them itself:
 * primitives alone encode faster than they stringify).
 */
export function aliasedKey(args: readonly unknown[], encode: (args: readonly unknown[]) => string): string | undefined {
  if (!args.some(isContainer) || plainDataBudget(args, MAX_NAME_LENGTH) < 0) return undefined;
  const name = JSON.stringify(args);
  if (name.length > MAX_NAME_LENGTH) return undefined;
  const known = aliases.get(name);
  if (known !== undefined) return known;
  // Encode what the name says (not `args`, whose getters might answer differently a second time).
  const key = encode(JSON.parse(name) as unknown[]);
  heldChars += name.length + key.length;
  if (heldChars > MAX_HELD_CHARS) {
    aliases.clear();
    heldChars = name.length + key.length;
  }
  aliases.set(name, key);
  return key;
}

function isContainer(value: unknown): boolean {
  return typeof value === 'object' && value !== null;
}

/**
 * What is left of `budget` (about as many characters as `value`'s JSON text may take; every value
 * costs at least one, which also ends the walk of a cycle) after walking `value`, or -1 if
 * `JSON.stringify(value)` would not name it exactly or would be too long to remember.
 */
function plainDataBudget(value: unknown, budget: number): number {
  if (--budget < 0) return -1;
  switch (typeof value) {
    case 'string':
      budget -= value.length;
      return budget < 0 ? -1 : budget;
    case 'number':
      // -0 is written as 0, which is the same key; NaN and ±Infinity would be written as null.
      return Number.isFinite(value) ? budget : -1;
    case 'boolean':
      return budget;
    case 'object': {
      if (value === null) return budget;
      // JSON.stringify would write what toJSON returns instead.
      if ((value as { toJSON?: unknown }).toJSON !== undefined) return -1;
      const proto: unknown = Object.getPrototypeOf(value);
      // An object that only inherits from Array.prototype is no array: JSON would write it as {}.
      if (proto === arrayProto && Array.isArray(value)) {
        const array = value as unknown[];
        // A hole reads as undefined, which is refused: JSON would write it as null.
        for (let i = 0; i < array.length && budget >= 0; i++) budget = plainDataBudget(array[i], budget);
        return budget;
      }
      // A tagged object (Math, JSON) would be written as {}, like an empty plain object.
      if ((proto !== objectProto && proto !== null) || Symbol.toStringTag in value) return -1;
      // for-in allocates nothing; it also visits inherited enumerable fields, which only costs time.
      for (const name in value) {
        budget = plainDataBudget((value as Record<string, unknown>)[name], budget - name.length);
        if (budget < 0) return -1;
      }
      return budget;
    }
    default:
      return -1;
  }
}

/** Forgets every remembered key (clearCaches(): no argument text may stay behind). */
export function forgetAliases(): void {
  aliases.clear();
  heldChars = 0;
}
