/**
 * Cases that need no IndexedDB, run both in Chromium and in Node:
 * (1) memory hits, (4) miss overhead of the memory tier, (5) key computation.
 */
import { cache } from '../src/index.ts';
import { digestOf, finishKey } from '../src/key/digest.ts';
import { encodeCall } from '../src/key/encode.ts';
import { MEMORY_ANCHORS, mapFloorAnchor, pMemoizeAnchor, type AsyncFn } from './anchors.ts';
import { awaitLoop, measure, scaled, type BenchSettings, type CaseResult, type Contender } from './harness.ts';

export type Env = CaseResult['env'];

export const MEMORY_HIT = { targetMs: 15, rounds: 21, minRounds: 7, budgetMs: 6_000 };
const MISS = { targetMs: 15, rounds: 15, minRounds: 5, budgetMs: 6_000 };
const KEYS = { targetMs: 40, rounds: 11, minRounds: 5, budgetMs: 8_000 };

/** A small object argument, made fresh for every call as an app would (same content each time). */
function smallObject(): { id: number; query: string; page: number; sort: { by: string; desc: boolean }; tags: string[] } {
  return { id: 42, query: 'alpha', page: 3, sort: { by: 'name', desc: false }, tags: ['a', 'b'] };
}

export const compute = async (arg: unknown): Promise<{ ok: true; arg: unknown }> => ({ ok: true, arg });

const MEMORY_HOW =
  'each contender on a warm cache, `await f(arg)` in a loop compiled for it alone; batches of ~15 ms, contenders interleaved in rotating order, median over rounds; p-memoize 8 as its README sets it up (pMemoize(fn))';

/** Case 1: memory hits with one string argument and with a small object argument. */
export async function memoryHitCases(env: Env, settings: BenchSettings): Promise<CaseResult[]> {
  const results: CaseResult[] = [];

  // One string argument: every library with its default key for primitives.
  {
    const contenders: Contender[] = [];
    const ours = cache(compute as AsyncFn<string, unknown>);
    contenders.push({ name: 'idb-memo', run: awaitLoop(ours, () => 'alpha') });
    for (const anchor of MEMORY_ANCHORS) {
      const memo = anchor.make(compute as AsyncFn<string, unknown>);
      contenders.push({ name: anchor.name, run: awaitLoop(memo, () => 'alpha') });
    }
    for (const c of contenders) await c.run(2, -100); // first call fills each cache
    results.push({
      id: 'memory-hit-string',
      group: 1,
      title: 'memory hit, one string argument',
      env,
      subject: 'idb-memo',
      unit: 'latency',
      results: await measure(contenders, scaled(MEMORY_HIT, settings)),
      notes: [`idb-memo misses during the run: ${ours.stats().misses - 1}`],
      targets: [{ label: 'memory hit, one string argument', anchor: 'p-memoize', limit: 0.5, source: 'issue 23', how: MEMORY_HOW }],
    });
  }

  // A small object argument, a new (equal) object on every call. Anchors key by JSON.stringify,
  // as their docs suggest; idb-memo's key is canonical (property order does not matter).
  {
    const contenders: Contender[] = [];
    const ours = cache(compute as AsyncFn<ReturnType<typeof smallObject>, unknown>);
    contenders.push({ name: 'idb-memo', run: awaitLoop(ours, smallObject) });
    for (const anchor of MEMORY_ANCHORS) {
      const memo = anchor.make(compute as AsyncFn<ReturnType<typeof smallObject>, unknown>, JSON.stringify);
      contenders.push({ name: anchor.name, run: awaitLoop(memo, smallObject) });
    }
    for (const c of contenders) await c.run(2, -100);
    results.push({
      id: 'memory-hit-object',
      group: 1,
      title: 'memory hit, small object argument',
      env,
      subject: 'idb-memo',
      unit: 'latency',
      results: await measure(contenders, scaled(MEMORY_HIT, settings)),
      notes: ['anchors key by JSON.stringify (order-sensitive); idb-memo by its canonical encoding'],
      targets: [
        {
          label: 'memory hit, small object argument',
          anchor: 'p-memoize',
          limit: 0.5,
          source: 'issue 23',
          how: `${MEMORY_HOW}; here a new equal object every call, and p-memoize keys it with cacheKey: ([a]) => JSON.stringify(a)`,
        },
      ],
    });
  }
  return results;
}

/** Case 4, memory-only: a cached call on a miss vs calling the function directly. */
export async function missOverheadMemoryCase(env: Env, settings: BenchSettings): Promise<CaseResult> {
  const fn = async (key: string): Promise<number> => key.length;
  const arg = (i: number, round: number) => `m${round}:${i}`;
  // A fresh memoized function every round, so that every call of the round is a miss.
  let ours = cache(fn);
  let pm = pMemoizeAnchor.make(fn);
  let floor = mapFloorAnchor.make(fn);
  const contenders: Contender[] = [
    { name: 'direct call', run: awaitLoop(fn, arg), maxOps: 100_000 },
    {
      name: 'idb-memo',
      prepare: () => (ours = cache(fn)),
      run: awaitLoop((key: string) => ours(key), arg),
      maxOps: 100_000,
    },
    { name: 'p-memoize', prepare: () => (pm = pMemoizeAnchor.make(fn)), run: awaitLoop((key: string) => pm(key), arg), maxOps: 100_000 },
    {
      name: mapFloorAnchor.name,
      prepare: () => (floor = mapFloorAnchor.make(fn)),
      run: awaitLoop((key: string) => floor(key), arg),
      maxOps: 100_000,
    },
  ];
  return {
    id: 'miss-memory',
    group: 4,
    title: 'miss overhead, memory only (vs direct call)',
    env,
    subject: 'idb-memo',
    unit: 'latency',
    results: await measure(contenders, scaled(MISS, settings)),
    notes: ['each round uses a fresh memoized function and new keys, so every call is a miss'],
  };
}

/** Deterministic filler (xorshift32), so every run hashes the same bytes. */
export function filledBytes(length: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(length);
  const words = new Uint32Array(bytes.buffer, 0, length >> 2);
  let x = 0x9e3779b9;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  return bytes;
}

/** A plain object whose JSON is about 1 KiB: a typical query/filter argument. */
export function objectOf1KiB(): Record<string, unknown> {
  const columns = Array.from({ length: 12 }, (_, i) => ({ field: `column_${i}`, visible: i % 3 !== 0, width: 80 + i }));
  const value: Record<string, unknown> = {
    dataset: 'penguins',
    filters: { species: ['Adelie', 'Gentoo'], island: 'Biscoe', year: { min: 2007, max: 2009 } },
    columns,
    page: 1,
    pageSize: 50,
  };
  let pad = 0;
  while (JSON.stringify(value).length < 1024) value[`extra${pad++}`] = 'x';
  return value;
}

const digestFloor = async (bytes: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer> => crypto.subtle.digest('SHA-256', bytes);

/** Case 5: key computation throughput for a 1 KiB object, a 1 MiB and a 16 MiB typed array. */
export async function keyCases(env: Env, settings: BenchSettings): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  // As src/cache.ts keys a call of one argument: the memory key (a draft, its large contents
  // digested), and for the disk its hex SHA-256 (the key of a `toDisk` call refuses identities).
  const memoryKey = async (arg: unknown): Promise<string> => finishKey(encodeCall([arg], undefined, [], false));
  const persistedKey = async (arg: unknown): Promise<string> => digestOf(await finishKey(encodeCall([arg], undefined, [], true)));

  // Objects of equal size and shape but distinct content, taken in turn, so that every key is
  // computed in full, as on first sight.
  const variants = Array.from({ length: 4096 }, (_, i) => ({ ...objectOf1KiB(), variant: i }));
  const variant = (i: number) => variants[i & 4095]!;
  const objectBytes = JSON.stringify(variants[0]).length;
  const encoder = new TextEncoder();
  results.push({
    id: 'key-object-1k',
    group: 5,
    title: 'key of a 1 KiB object (memory key)',
    env,
    subject: 'idb-memo memory key',
    unit: 'throughput',
    bytes: objectBytes,
    results: await measure(
      [
        { name: 'idb-memo memory key', run: awaitLoop(memoryKey, variant) },
        { name: 'JSON.stringify', run: awaitLoop(JSON.stringify, variant) },
      ],
      scaled(KEYS, settings),
    ),
    notes: [
      'encodeCall + finishKey on distinct objects (every key computed in full)',
      'anchor: what p-memoize/memoizee users pass as cacheKey',
    ],
  });
  results.push({
    id: 'key-object-1k-persisted',
    group: 5,
    title: 'key of a 1 KiB object (persisted SHA-256 key)',
    env,
    subject: 'idb-memo persisted key',
    unit: 'throughput',
    bytes: objectBytes,
    results: await measure(
      [
        { name: 'idb-memo persisted key', run: awaitLoop(persistedKey, variant) },
        {
          name: 'JSON.stringify + SHA-256',
          run: awaitLoop((value: unknown) => crypto.subtle.digest('SHA-256', encoder.encode(JSON.stringify(value))), variant),
        },
      ],
      scaled(KEYS, settings),
    ),
    notes: ['digestOf(memory key): hex SHA-256, as the disk tier keys records'],
  });

  // Long strings are digested (issue 12): distinct 100 KB strings, taken in turn, so that each key
  // is computed on first sight.
  const longStrings = Array.from({ length: 64 }, (_, i) => `${i}:`.padEnd(100_000, String.fromCharCode(97 + (i % 26))));
  results.push({
    id: 'key-string-100k',
    group: 5,
    title: 'key of a 100 KB string (memory key)',
    env,
    subject: 'idb-memo memory key',
    unit: 'throughput',
    bytes: 100_000,
    results: await measure(
      [
        { name: 'idb-memo memory key', run: awaitLoop(memoryKey, (i: number) => longStrings[i & 63]!) },
        { name: 'JSON.stringify', run: awaitLoop(JSON.stringify, (i: number) => longStrings[i & 63]!) },
      ],
      scaled(KEYS, settings),
    ),
    notes: ['the key holds the length and SHA-256 of the string, not the string: 200 such keys held 20 MB before, under 1 MB now'],
  });

  for (const [label, size] of [
    ['1 MiB', 1 << 20],
    ['16 MiB', 1 << 24],
  ] as const) {
    const bytes = filledBytes(size);
    results.push({
      id: `key-typed-${label.replace(' ', '').toLowerCase()}`,
      group: 5,
      title: `key of a ${label} typed array`,
      env,
      subject: 'idb-memo memory key',
      unit: 'throughput',
      bytes: size,
      results: await measure(
        [
          { name: 'idb-memo memory key', run: awaitLoop(memoryKey, () => bytes) },
          { name: 'idb-memo persisted key', run: awaitLoop(persistedKey, () => bytes) },
          { name: 'crypto.subtle.digest (floor)', run: awaitLoop(digestFloor, () => bytes) },
        ],
        scaled(size > 1 << 22 ? { ...KEYS, targetMs: 100, rounds: 7 } : KEYS, settings),
      ),
      notes: ['Uint8Array; the memory key digests the bytes with Web Crypto'],
    });
  }
  return results;
}
