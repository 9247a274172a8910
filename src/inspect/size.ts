/** Most values visited to size one result: past it, the estimate is a lower bound. */
const MOST_VISITS = 100_000;

/**
 * A rough estimate of the bytes `value` takes (strings as UTF-16, numbers as 8 bytes, binary
 * data by its length, a little per object and field), walked once per object, without cloning.
 */
export function approxBytes(value: unknown): number {
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  let bytes = 0;
  for (let visits = 0; stack.length > 0 && visits < MOST_VISITS; visits++) {
    const item = stack.pop();
    switch (typeof item) {
      case 'string':
        bytes += 2 * item.length;
        continue;
      case 'number':
      case 'bigint':
        bytes += 8;
        continue;
      case 'boolean':
        bytes += 4;
        continue;
      case 'object':
        break;
      default:
        continue;
    }
    if (item === null || seen.has(item)) continue;
    seen.add(item);
    bytes += 16;
    if (ArrayBuffer.isView(item) || item instanceof ArrayBuffer) bytes += item.byteLength;
    else if (typeof Blob !== 'undefined' && item instanceof Blob) bytes += item.size;
    else if (item instanceof Date) bytes += 8;
    else if (item instanceof Map) for (const [k, v] of item) stack.push(k, v);
    else if (item instanceof Set) for (const member of item) stack.push(member);
    else if (Array.isArray(item)) for (const element of item as unknown[]) stack.push(element);
    else {
      for (const [name, field] of Object.entries(item)) {
        bytes += 2 * name.length;
        stack.push(field);
      }
    }
  }
  return bytes;
}
