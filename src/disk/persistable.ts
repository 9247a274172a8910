/**
 * Why `value` cannot be stored faithfully by structured clone, or undefined when it can.
 *
 * Structured clone throws for functions and DOM nodes, and silently turns class instances into
 * plain objects (dropping their prototype and private fields); either way a disk hit would hand
 * back something else than the function returned, so such results stay in memory only.
 */
export function unpersistableReason(value: unknown): string | undefined {
  try {
    return firstUnclonable(value);
  } catch (error) {
    // A getter or a Proxy trap threw: structured clone would throw the same.
    return `reading the result threw (${error instanceof Error ? error.name : typeof error})`;
  }
}

function firstUnclonable(value: unknown): string | undefined {
  const seen = new Set<object>();
  const pending: [unknown, string][] = [[value, 'the result']];
  while (pending.length > 0) {
    const [current, path] = pending.pop()!;
    if (typeof current === 'function') return `${path} is a function`;
    if (typeof current === 'symbol') return `${path} is a symbol`;
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    const proto: unknown = Object.getPrototypeOf(current);
    if (Array.isArray(current) && proto === Array.prototype) {
      current.forEach((item, i) => pending.push([item, `${path}[${i}]`]));
      continue;
    }
    if (proto === Object.prototype || proto === null) {
      for (const [name, item] of Object.entries(current)) pending.push([item, `${path}.${name}`]);
    } else if (proto === Map.prototype) {
      for (const [k, v] of current as Map<unknown, unknown>) pending.push([k, `${path}<Map key>`], [v, `${path}<Map value>`]);
    } else if (proto === Set.prototype) {
      for (const member of current as Set<unknown>) pending.push([member, `${path}<Set member>`]);
    } else if (!isClonedFaithfully(current)) {
      const name = (current as { constructor?: { name?: string } }).constructor?.name ?? 'object';
      return `${path} is a ${name}, which structured clone cannot store faithfully`;
    }
  }
  return undefined;
}

/** The errors structured clone restores with their type (a subclass comes back as its base). */
const ERROR_PROTOTYPES = new Set<object>(
  [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError].map((type) => type.prototype as object),
);

/** Built-in types that structured clone stores and restores with their type. */
function isClonedFaithfully(value: object): boolean {
  return (
    value instanceof Date ||
    value instanceof RegExp ||
    value instanceof ArrayBuffer ||
    ArrayBuffer.isView(value) ||
    (value instanceof Error &&
      ERROR_PROTOTYPES.has(Object.getPrototypeOf(value) as object) &&
      // Structured clone keeps these own properties of an error, and drops any other.
      Object.keys(value).every((name) => name === 'cause' || name === 'message' || name === 'stack')) ||
    value instanceof String ||
    value instanceof Number ||
    value instanceof Boolean ||
    value instanceof BigInt ||
    (typeof Blob !== 'undefined' && value instanceof Blob) ||
    (typeof ImageData !== 'undefined' && value instanceof ImageData) ||
    (typeof ImageBitmap !== 'undefined' && value instanceof ImageBitmap)
  );
}
