// Property test of the key rule: the keys the encoder makes agree with a reference written apart
// from it (docs/keys.md states the rule). Seeds are printed on failure; FC_SEED=<seed> replays one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FC_SEED } from './seed.ts';
import { finishKey } from '../../src/key/digest.ts';
import { encodeCall } from '../../src/key/encode.ts';


/** Values known by identity: shared by both sides of a pair, so that "the same one" happens. */
class Widget {
  constructor(public size: number) {}
}
const IDENTITIES: unknown[] = [() => 1, () => 1, new Widget(1), new Widget(1), Symbol('s'), Symbol('s')];

/**
 * A recipe of a value, built anew for each side. `share` builds a node once per value and uses it
 * wherever the same share number appears again (aliasing and cycles).
 */
type Recipe =
  | { kind: 'leaf'; value: unknown }
  | { kind: 'identity'; index: number }
  | { kind: 'array'; items: (Recipe | 'hole')[]; share?: number }
  | { kind: 'object' | 'bare'; fields: [string, Recipe][]; share?: number }
  | { kind: 'map'; entries: [Recipe, Recipe][]; share?: number }
  | { kind: 'set'; members: Recipe[]; share?: number }
  | { kind: 'date'; time: number; share?: number }
  | { kind: 'bytes'; type: 'Uint8Array' | 'Int8Array' | 'ArrayBuffer'; content: number[]; share?: number };

const recipe: fc.Arbitrary<Recipe> = fc.letrec<{ node: Recipe }>((tie) => {
  const share = fc.option(fc.constantFrom(1, 2), { nil: undefined });
  return {
    node: fc.oneof(
      { depthSize: 'small', maxDepth: 3 },
      fc.constantFrom<unknown>(0, -0, 1, NaN, '', 'a', '1', true, false, null, undefined, 1n, Symbol.for('r')).map((value) => ({ kind: 'leaf', value }) as Recipe),
      fc.integer({ min: 0, max: IDENTITIES.length - 1 }).map((index) => ({ kind: 'identity', index }) as Recipe),
      fc.record({ kind: fc.constant('array' as const), items: fc.array(fc.oneof(tie('node'), fc.constant('hole' as const)), { maxLength: 3 }), share }),
      fc.record({
        kind: fc.constantFrom('object' as const, 'bare' as const),
        fields: fc.uniqueArray(fc.tuple(fc.constantFrom('a', 'b', '10', '__proto__'), tie('node')), { maxLength: 3, selector: ([name]) => name }),
        share,
      }),
      fc.record({ kind: fc.constant('map' as const), entries: fc.array(fc.tuple(tie('node'), tie('node')), { maxLength: 2 }), share }),
      fc.record({ kind: fc.constant('set' as const), members: fc.array(tie('node'), { maxLength: 2 }), share }),
      fc.record({ kind: fc.constant('date' as const), time: fc.constantFrom(0, 1, NaN), share }),
      fc.record({
        kind: fc.constant('bytes' as const),
        type: fc.constantFrom('Uint8Array' as const, 'Int8Array' as const, 'ArrayBuffer' as const),
        content: fc.array(fc.constantFrom(0, 1, 255), { maxLength: 3 }),
        share,
      }),
    ),
  };
}).node;

/** Builds the value of `r` (nodes of one share number built once: aliases). */
function build(r: Recipe, shared = new Map<number, unknown>()): unknown {
  if (r.kind === 'leaf') return r.value;
  if (r.kind === 'identity') return IDENTITIES[r.index];
  if (r.share !== undefined && shared.has(r.share)) return shared.get(r.share);
  let made: unknown;
  const keep = (value: unknown) => (r.share !== undefined && shared.set(r.share, value), value);
  switch (r.kind) {
    case 'array': {
      const array: unknown[] = keep(new Array(r.items.length)) as unknown[];
      r.items.forEach((item, i) => item !== 'hole' && (array[i] = build(item, shared)));
      return array;
    }
    case 'object':
    case 'bare': {
      const object = keep(r.kind === 'object' ? {} : Object.create(null)) as Record<string, unknown>;
      for (const [name, field] of r.fields) Object.defineProperty(object, name, { value: build(field, shared), enumerable: true, writable: true, configurable: true });
      return object;
    }
    case 'map': {
      const map = keep(new Map()) as Map<unknown, unknown>;
      for (const [k, v] of r.entries) map.set(build(k, shared), build(v, shared));
      return map;
    }
    case 'set': {
      const set = keep(new Set()) as Set<unknown>;
      for (const member of r.members) set.add(build(member, shared));
      return set;
    }
    case 'date':
      made = new Date(r.time);
      break;
    case 'bytes':
      made = r.type === 'ArrayBuffer' ? new Uint8Array(r.content).buffer : r.type === 'Uint8Array' ? new Uint8Array(r.content) : new Int8Array(r.content);
  }
  return keep(made);
}

/**
 * The reference: whether two argument lists must share a key, by the rule as the README states it,
 * written without looking at the encoder. Plain data is compared by value (fields in any order;
 * arrays, Maps and Sets in order; holes apart from undefined; -0 as 0, NaN as NaN); the pattern of
 * values met twice must be the same on both sides; everything else is compared by identity.
 */
function sameKey(a: unknown[], b: unknown[]): boolean {
  const seenA = new Map<object, number>();
  const seenB = new Map<object, number>();
  const byValue = (v: unknown): v is object => {
    if (typeof v !== 'object' || v === null) return false;
    const proto: unknown = Object.getPrototypeOf(v);
    return [Object.prototype, null, Array.prototype, Map.prototype, Set.prototype, Date.prototype, Uint8Array.prototype, Int8Array.prototype, ArrayBuffer.prototype].includes(proto as object);
  };
  const same = (x: unknown, y: unknown): boolean => {
    if (!byValue(x) || !byValue(y)) {
      if (byValue(x) || byValue(y)) return false;
      if (typeof x === 'number' && typeof y === 'number') return x === y || (Number.isNaN(x) && Number.isNaN(y));
      return x === y; // primitives by value; functions, instances and Symbol() by identity; Symbol.for by its key
    }
    const [firstX, firstY] = [seenA.get(x), seenB.get(y)];
    if (firstX !== undefined || firstY !== undefined) return firstX === firstY;
    seenA.set(x, seenA.size);
    seenB.set(y, seenB.size);
    if (Object.getPrototypeOf(x) !== Object.getPrototypeOf(y)) return false;
    if (Array.isArray(x)) {
      const ys = y as unknown[];
      // Every index, holes included (every() would skip them).
      return x.length === ys.length && [...x.keys()].every((i) => (i in x) === (i in ys) && (!(i in x) || same(x[i], ys[i])));
    }
    if (x instanceof Map) return x.size === (y as Map<unknown, unknown>).size && zip([...x].flat(), [...(y as Map<unknown, unknown>)].flat());
    if (x instanceof Set) return x.size === (y as Set<unknown>).size && zip([...x], [...(y as Set<unknown>)]);
    if (x instanceof Date) return Object.is(x.getTime(), (y as Date).getTime());
    if (ArrayBuffer.isView(x) || x instanceof ArrayBuffer) return zip([...new Uint8Array(x as ArrayBuffer)], [...new Uint8Array(y as ArrayBuffer)]);
    const names = Object.keys(x).sort();
    return zip(names, Object.keys(y).sort()) && names.every((name) => same((x as Record<string, unknown>)[name], (y as Record<string, unknown>)[name]));
  };
  const zip = (xs: unknown[], ys: unknown[]) => xs.length === ys.length && xs.every((x, i) => same(x, ys[i]));
  return zip(a, b);
}

const keyOf = (args: unknown[]) => finishKey(encodeCall(args, undefined, [], false));

describe('property: the encoder agrees with the reference', () => {
  it('two argument lists share a key exactly when the reference says they must', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(recipe, { maxLength: 3 }), fc.array(recipe, { maxLength: 3 }), async (left, right) => {
        const a = left.map((r) => build(r));
        const b = right.map((r) => build(r));
        expect(await keyOf(a) === await keyOf(b)).toBe(sameKey(a, b));
        // A value and its copy built anew, aliases included, always share a key.
        const again = left.map((r) => build(r));
        expect(await keyOf(again)).toBe(await keyOf(a));
      }),
      { numRuns: 2000, seed: FC_SEED },
    );
  });

  it('persistent keys refuse exactly the values known by identity (a registered symbol is not one)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(recipe, { maxLength: 3 }), async (recipes) => {
        const args = recipes.map((r) => build(r));
        // Walks what was built (a shared node is built once: a recipe may name more than is there).
        const seen = new Set<unknown>();
        const hasIdentity = (v: unknown): boolean => {
          if (IDENTITIES.includes(v)) return true;
          if (typeof v !== 'object' || v === null || seen.has(v)) return false;
          seen.add(v);
          const inside = v instanceof Map ? [...v].flat() : v instanceof Set ? [...v] : ArrayBuffer.isView(v) || v instanceof ArrayBuffer || v instanceof Date ? [] : Object.values(v);
          return inside.some(hasIdentity);
        };
        let refused = false;
        try {
          await finishKey(encodeCall(args, undefined, [], true));
        } catch (error) {
          refused = (error as { code?: string }).code === 'UNKEYABLE_VALUE';
        }
        expect(refused).toBe(args.some(hasIdentity));
      }),
      { numRuns: 1000, seed: FC_SEED },
    );
  });
});
