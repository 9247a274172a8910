/**
 * Cases that need IndexedDB, run in Chromium only: (2) disk hits with an empty memory tier,
 * (3) 100 concurrent cold lookups, (4) miss overhead with `toDisk`, (6) insert with eviction at scale.
 *
 * How the disk tier is driven (note for whoever changes the disk tier — keep this working):
 * - A disk hit "with an empty memory tier" is produced without reloading the page: a *writer*
 *   `cache(fn, { toDisk: true, name, cachePath })` fills the keys, then every round makes a fresh
 *   *reader* with the same `fn`, `name` and `cachePath`. The reader's memory tier is empty, so each
 *   of its first calls per key must be answered from IndexedDB. `reader.stats().diskHits` is checked
 *   after every round; if it stays 0 the case is reported "n/a" (no disk tier yet).
 * - A write is not awaited by the caller, so "persisted" is observed from outside: a *probe*
 *   `cache(fail, sameOptions)`, made fresh on each poll, whose function throws. Its call resolves
 *   only on a disk hit (a miss rejects and is not stored), so polling it never writes anything.
 *   Writes are committed in order, so the last key of a batch being readable means the batch is.
 * - Relies on: `name` alone fixing the namespace (not the function's source), disk hits counted in
 *   `stats().diskHits`, rejected results never written, and cache() instances sharing one
 *   `cachePath` reading the same database. If any of these changes, adjust `waitPersisted()`.
 * - The scale case fills 10k/100k entries fast: the first 1000 go through the library (which makes
 *   the database and the namespace), the rest are put straight into its `entries` store in the
 *   record shape of src/disk/schema.ts, keyed like src/disk/disk-tier.ts does (SHA-256 of the
 *   memory key), and the namespace count is raised to match. A probe then checks that a
 *   raw-filled key is a disk hit; if the schema moved on, the case says so instead of measuring.
 */
import { createStore, get as keyvalGet, set as keyvalSet, setMany as keyvalSetMany } from 'idb-keyval';
import localforage from 'localforage';
import { namespaceOf } from '../src/disk/namespace.ts';
import { RECORD_FORMAT, type EntryRecord } from '../src/disk/schema.ts';
import { cache, type CacheOptions } from '../src/index.ts';
import { memoryKeyOf, sha256OfText } from '../src/key/digest.ts';
import { encodeKey } from '../src/key/encode.ts';
import { resolveOptions } from '../src/options.ts';
import { clearMemories } from '../src/registry.ts';
import { compute, MEMORY_HIT } from './memory-cases.ts';
import { pMemoizeAnchor, type AsyncFn } from './anchors.ts';
import { awaitLoop, breathe, measure, now, scaled, type BenchSettings, type CaseResult, type Contender, type Measurement } from './harness.ts';

const DB = 'idb-memo-bench';
type Value = unknown;
type Options = CacheOptions<unknown, [key: string]>;

const DISK_HIT = { targetMs: 40, rounds: 15, minRounds: 5, budgetMs: 12_000 };
const COLD = { targetMs: 20, rounds: 21, minRounds: 7, budgetMs: 10_000 };
const MISS_DISK = { targetMs: 20, rounds: 11, minRounds: 5, budgetMs: 10_000 };
const SCALE = { targetMs: 20, rounds: 9, minRounds: 4, budgetMs: 25_000 };

/** A small result: an object of a few fields (~100 bytes). */
export function smallValue(key: string): Value {
  return { key, id: key.length, title: `row ${key}`, score: 0.5, tags: ['a', 'b', 'c'], when: 1_700_000_000_000 };
}

let largeTemplate: Value[] | undefined;
/** A ~250 KB result (JSON size): rows of a table, as a data app caches them. */
export function largeValue(key: string): Value {
  if (!largeTemplate) {
    largeTemplate = [];
    let size = 2;
    for (let i = 0; size < 250_000; i++) {
      const row = { id: i, name: `name-${i}`, species: i % 3 === 0 ? 'Adelie' : 'Gentoo', mass: 3000 + i * 1.25, flag: i % 2 === 0 };
      largeTemplate.push(row);
      size += JSON.stringify(row).length + 1;
    }
  }
  return { key, rows: largeTemplate };
}

const computeOf = (make: (key: string) => Value) => async (key: string): Promise<Value> => make(key);
const fail = async (): Promise<never> => {
  throw new Error('not on disk');
};

/** Resolves true once `key` can be read from disk under `options` (see the header), false at the deadline. */
async function waitPersisted(options: Options, key: string, timeoutMs: number): Promise<boolean> {
  const deadline = now() + timeoutMs;
  for (;;) {
    const probe = cache(fail as (key: string) => Promise<never>, options);
    try {
      await probe(key);
      if (probe.stats().diskHits > 0) return true;
    } catch {
      // not there yet
    }
    if (now() > deadline) return false;
    await breathe(2);
  }
}

let diskTier: Promise<string | undefined> | undefined;
/** Undefined when the disk tier answers disk hits; else why the disk cases are n/a. */
export function diskTierMissing(): Promise<string | undefined> {
  diskTier ??= (async () => {
    const options: Options = { toDisk: true, name: 'bench-detect', cachePath: DB };
    const writer = cache(computeOf(smallValue), options);
    await writer('detect');
    if (!(await waitPersisted(options, 'detect', 3_000))) {
      return 'n/a: no disk hit within 3 s of a toDisk write (the IndexedDB disk tier is not in src/ yet?)';
    }
    return undefined;
  })();
  return diskTier;
}

/**
 * Fills `keys` through a writer with `options` (1000 concurrent calls at a time, so that writes
 * share transactions) and waits until the last one is on disk. False past `deadline` (a `now()`).
 */
async function fill(options: Options, make: (key: string) => Value, keys: readonly string[], deadline: number): Promise<boolean> {
  const writer = cache(computeOf(make), options);
  const chunk = 1000;
  for (let i = 0; i < keys.length; i += chunk) {
    if (now() > deadline) return false;
    await Promise.all(keys.slice(i, i + chunk).map((key) => writer(key)));
    // Let the chunk's writes land before queueing more, so memory does not run ahead of the disk.
    if (!(await waitPersisted(options, keys[Math.min(i + chunk, keys.length) - 1]!, Math.max(0, deadline - now())))) return false;
  }
  return true;
}

/**
 * Fills `keys` into a full disk tier quickly (see the header): the first 1000 through the library,
 * the rest straight into its store. Resolves a reason on failure, undefined on success.
 */
async function fastFill(
  options: Options,
  fn: (key: string) => Promise<Value>,
  make: (key: string) => Value,
  keys: readonly string[],
  deadline: number,
): Promise<string | undefined> {
  const seeded = Math.min(1000, keys.length);
  if (!(await fill(options, make, keys.slice(0, seeded), deadline))) return 'the first 1000 entries never reached the disk';
  if (seeded === keys.length) return undefined;
  const ns = await namespaceOf(fn as (...args: never[]) => unknown, resolveOptions(options as CacheOptions<never, never[]>));
  const open = indexedDB.open(options.cachePath!);
  const db = await request(open);
  try {
    const base = Date.now();
    const chunk = 10_000;
    for (let i = seeded; i < keys.length; i += chunk) {
      if (now() > deadline) return 'not filled within the time box';
      const batch = keys.slice(i, Math.min(i + chunk, keys.length));
      const hashed = await Promise.all(batch.map((key) => sha256OfText(memoryKeyOf(encodeKey([key], undefined, [])) as string)));
      const tx = db.transaction(['entries', 'namespaces'], 'readwrite');
      const entries = tx.objectStore('entries');
      batch.forEach((key, j) => {
        // Past, increasing stamps (a future stamp reads as expired): LRU order = fill order.
        const at = base - keys.length + i + j;
        const record: EntryRecord = { ns, key: hashed[j]!, value: make(key), storedAt: at, expiresAt: Infinity, accessedAt: at, hits: 1, format: RECORD_FORMAT };
        entries.put(record);
      });
      const counts = tx.objectStore('namespaces');
      const current = ((await request(counts.get(ns))) as { count?: number } | undefined)?.count ?? 0;
      counts.put({ ns, count: current + batch.length });
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error);
      });
    }
  } finally {
    db.close();
  }
  if (!(await waitPersisted(options, keys[keys.length - 1]!, 2_000))) {
    return 'raw-filled entries are not disk hits (has the record shape in src/disk/schema.ts changed? update fastFill)';
  }
  return undefined;
}

/** A promise of a raw IndexedDB request's result. */
function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** Anchor stores, each filled with the same keys and values. */
interface Anchors {
  keyvalStore: ReturnType<typeof createStore>;
  forage: LocalForage;
  raw: IDBDatabase;
}

async function anchorsWith(label: string, make: (key: string) => Value, keys: readonly string[]): Promise<Anchors> {
  const keyvalStore = createStore(`bench-keyval-${label}`, 'kv');
  // Under each key, and under its SHA-256 (the floor of a digest-keyed store).
  const digests = await Promise.all(keys.map((key) => sha256OfText(key)));
  const entries = [...keys.map((key) => [key, make(key)] as const), ...keys.map((key, i) => [digests[i]!, make(key)] as const)];
  await keyvalSetMany(entries.map(([key, value]) => [key, value]), keyvalStore);
  const forage = localforage.createInstance({ name: `bench-localforage-${label}`, storeName: 'kv', driver: localforage.INDEXEDDB });
  for (const key of keys) await forage.setItem(key, make(key));
  const open = indexedDB.open(`bench-raw-${label}`, 1);
  open.onupgradeneeded = () => open.result.createObjectStore('kv');
  const raw = await request(open);
  const tx = raw.transaction('kv', 'readwrite');
  for (const key of keys) tx.objectStore('kv').put(make(key), key);
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
  return { keyvalStore, forage, raw };
}

function rawGet(db: IDBDatabase, key: string): Promise<unknown> {
  return request(db.transaction('kv', 'readonly').objectStore('kv').get(key));
}

function naCase(base: Omit<CaseResult, 'results' | 'na'>, reason: string): CaseResult {
  return { ...base, results: [], na: reason };
}

/** Checks that a reader's round was answered from disk; records the shortfall otherwise. */
function diskHitCheck(label: string, counts: { short: number }) {
  return (hits: number, wanted: number) => {
    if (hits < wanted) {
      counts.short += wanted - hits;
      if (counts.short === wanted - hits) console.warn(`bench: ${label}: ${hits} of ${wanted} calls were disk hits`);
    }
  };
}

function shortNote(measurement: Measurement | undefined, counts: { short: number }): void {
  if (measurement && counts.short > 0) measurement.note = `${counts.short} calls over all rounds were not disk hits`;
}

/** Case 2: a disk hit with an empty memory tier, small and ~250 KB values. */
export async function diskHitCases(settings: BenchSettings): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  const missing = await diskTierMissing();
  for (const [label, make, keyCount] of [
    ['small', smallValue, 200],
    ['250k', largeValue, 40],
  ] as const) {
    const base = {
      id: `disk-hit-${label}`,
      group: 2,
      title: `disk hit, empty memory tier, ${label === 'small' ? 'small value' : '~250 KB value'}`,
      env: 'chromium' as const,
      subject: 'idb-memo',
      unit: 'latency' as const,
      notes: [`${keyCount} distinct keys per round, read one after another (each awaited)`],
    };
    if (missing) {
      results.push(naCase(base, missing));
      continue;
    }
    const keys = Array.from({ length: keyCount }, (_, i) => `${label}-${i}`);
    const options: Options = { toDisk: true, name: `bench-disk-hit-${label}`, cachePath: DB };
    if (!(await fill(options, make, keys, now() + 30_000))) {
      results.push(naCase(base, 'n/a: filled keys never became readable from disk'));
      continue;
    }
    const anchors = await anchorsWith(label, make, keys);
    const fn = computeOf(make);
    const counts = { short: 0 };
    const check = diskHitCheck(base.id, counts);
    let reader = cache(fn, options);
    const sequential = (get: (key: string) => Promise<unknown>) => async () => {
      for (const key of keys) await get(key);
    };
    const contenders: Contender[] = [
      {
        name: 'idb-memo',
        fixedOps: keyCount,
        // A function of one name shares its tier within a page: empty it, as a reload would.
        prepare: () => {
          clearMemories();
          reader = cache(fn, options);
        },
        run: async () => {
          for (const key of keys) await reader(key);
        },
        after: () => check(reader.stats().diskHits, keyCount),
      },
      { name: 'idb-keyval get', fixedOps: keyCount, run: sequential((key) => keyvalGet(key, anchors.keyvalStore)) },
      {
        // The floor of a SHA-256-keyed store: one Web Crypto digest of the key, then one idb-keyval get.
        name: 'SHA-256 digest + idb-keyval get',
        fixedOps: keyCount,
        run: sequential(async (key) => keyvalGet(await sha256OfText(key), anchors.keyvalStore)),
      },
      { name: 'localforage getItem', fixedOps: keyCount, run: sequential((key) => anchors.forage.getItem(key)) },
      { name: 'raw IndexedDB get', fixedOps: keyCount, run: sequential((key) => rawGet(anchors.raw, key)) },
    ];
    const measured = await measure(contenders, scaled(DISK_HIT, settings));
    shortNote(measured[0], counts);
    if (counts.short >= keyCount * measured[0]!.rounds) {
      results.push(naCase(base, 'n/a: stats().diskHits stayed 0 (reads were not answered from disk)'));
      continue;
    }
    results.push({ ...base, results: measured });
  }
  return results;
}

/** Case 3: 100 concurrent cold disk lookups vs 100 idb-keyval gets, awaited one by one and all at once. */
export async function coldLookupCase(settings: BenchSettings): Promise<CaseResult> {
  const count = 100;
  const base = {
    id: 'cold-100',
    group: 3,
    title: '100 concurrent cold disk lookups (time for all 100)',
    env: 'chromium' as const,
    subject: 'idb-memo',
    unit: 'latency' as const,
    notes: [
      'idb-memo: Promise.all of 100 calls on a reader with an empty memory tier; its namespace holds just these 100 entries, so one getAll sweeps them',
      'idb-memo, namespace of 1,000: the same 100 calls where the namespace holds 1,000 entries, so they are read one get each (in one transaction)',
    ],
  };
  const missing = await diskTierMissing();
  if (missing) return naCase(base, missing);
  const keys = Array.from({ length: count }, (_, i) => `cold-${i}`);
  const options: Options = { toDisk: true, name: 'bench-cold', cachePath: DB };
  if (!(await fill(options, smallValue, keys, now() + 30_000))) return naCase(base, 'n/a: filled keys never became readable from disk');
  const largeOptions: Options = { toDisk: true, name: 'bench-cold-1k', cachePath: DB };
  const largeKeys = Array.from({ length: 1000 }, (_, i) => `cold-${i}`);
  if (!(await fill(largeOptions, smallValue, largeKeys, now() + 60_000))) return naCase(base, 'n/a: filled keys never became readable from disk');
  const anchors = await anchorsWith('cold', smallValue, keys);
  const fn = computeOf(smallValue);
  const counts = { short: 0 };
  const check = diskHitCheck(base.id, counts);
  let reader = cache(fn, options);
  let largeReader = cache(fn, largeOptions);
  const contenders: Contender[] = [
    {
      name: 'idb-memo',
      fixedOps: 1,
      prepare: () => {
        clearMemories();
        reader = cache(fn, options);
      },
      run: () => Promise.all(keys.map((key) => reader(key))),
      after: () => check(reader.stats().diskHits, count),
    },
    {
      name: 'idb-memo, namespace of 1,000',
      fixedOps: 1,
      prepare: () => {
        clearMemories();
        largeReader = cache(fn, largeOptions);
      },
      run: () => Promise.all(keys.map((key) => largeReader(key))),
      after: () => check(largeReader.stats().diskHits, count),
    },
    {
      name: 'idb-keyval get ×100 sequential',
      fixedOps: 1,
      run: async () => {
        for (const key of keys) await keyvalGet(key, anchors.keyvalStore);
      },
    },
    { name: 'idb-keyval get ×100 Promise.all', fixedOps: 1, run: () => Promise.all(keys.map((key) => keyvalGet(key, anchors.keyvalStore))) },
    { name: 'localforage getItem ×100 Promise.all', fixedOps: 1, run: () => Promise.all(keys.map((key) => anchors.forage.getItem(key))) },
    {
      name: 'raw IndexedDB, 100 gets in 1 transaction',
      fixedOps: 1,
      run: () => {
        const store = anchors.raw.transaction('kv', 'readonly').objectStore('kv');
        return Promise.all(keys.map((key) => request(store.get(key))));
      },
    },
  ];
  const measured = await measure(contenders, scaled(COLD, settings));
  shortNote(measured[0], counts);
  if (counts.short >= count * measured[0]!.rounds) return naCase(base, 'n/a: stats().diskHits stayed 0 (reads were not answered from disk)');
  return { ...base, results: measured };
}

/**
 * Case 4 with `toDisk`: the caller's latency on a miss (the write is not awaited), with the
 * background write cost per entry reported separately as `write` (time until the round's last
 * entry is readable from disk, divided by the entries written).
 */
export async function missOverheadDiskCase(settings: BenchSettings): Promise<CaseResult> {
  const base = {
    id: 'miss-disk',
    group: 4,
    title: 'miss overhead, toDisk (vs direct call; write excluded)',
    env: 'chromium' as const,
    subject: 'idb-memo toDisk',
    unit: 'latency' as const,
    notes: ['each round: a fresh memoized function and new keys; "write" = background write cost per entry'],
  };
  const missing = await diskTierMissing();
  if (missing) return naCase(base, missing);
  const fn = async (key: string): Promise<Value> => smallValue(key);
  const arg = (i: number, round: number) => `miss${round}:${i}`;
  const options: Options = { toDisk: true, name: 'bench-miss', cachePath: DB };
  let ours = cache(fn, options);
  let start = 0;
  const keyvalStore = createStore('bench-keyval-miss', 'kv');
  const contenders: Contender[] = [
    {
      name: 'direct call',
      maxOps: 2000,
      run: async (n, round) => {
        for (let i = 0; i < n; i++) await fn(arg(i, round));
      },
    },
    {
      name: 'idb-memo toDisk',
      maxOps: 2000,
      prepare: () => {
        ours = cache(fn, options);
        start = now();
      },
      run: async (n, round) => {
        for (let i = 0; i < n; i++) await ours(arg(i, round));
      },
      after: async (round, n) => {
        const persisted = await waitPersisted(options, arg(n - 1, round), 10_000);
        return persisted ? { write: (now() - start) / n } : { write: NaN };
      },
    },
    {
      name: 'idb-keyval set, awaited',
      maxOps: 2000,
      run: async (n, round) => {
        for (let i = 0; i < n; i++) {
          const key = arg(i, round);
          await keyvalSet(key, smallValue(key), keyvalStore);
        }
      },
    },
  ];
  return { ...base, results: await measure(contenders, scaled(MISS_DISK, settings)) };
}

/**
 * Case 6: insert with eviction into a full disk tier of 1k, 10k and 100k entries. Each round makes
 * 100 concurrent calls with new keys; the figure is the time from the first call until the last
 * result is on disk, per insert (`caller`: until the calls resolved). Every insert evicts one entry.
 * The curve is flat when the 100k figure matches the 1k one.
 */
export async function scaleCase(settings: BenchSettings, sizes: readonly number[] = [1_000, 10_000, 100_000]): Promise<CaseResult> {
  const base = {
    id: 'scale',
    group: 6,
    title: 'insert with eviction into a full disk tier (per insert, until on disk)',
    env: 'chromium' as const,
    subject: `${sizes[sizes.length - 1]! / 1000}k entries`,
    unit: 'latency' as const,
  };
  const missing = await diskTierMissing();
  if (missing) return naCase(base, missing);
  const notes: string[] = [];
  const fn = computeOf(smallValue);
  const contenders: Contender[] = [];
  const filled: { size: number; ns: string }[] = [];
  // Time-boxed for the 5-minute run.
  const fillDeadline = now() + 120_000 * Math.max(settings.scale, 0.5);
  for (const size of sizes) {
    const options: Options = { toDisk: true, name: `bench-scale-${size}`, cachePath: `${DB}-scale`, maxItems: size, policy: 'LRU' };
    const keys = Array.from({ length: size }, (_, i) => `fill-${i}`);
    const fillStart = now();
    const failure = await fastFill(options, fn, smallValue, keys, fillDeadline);
    if (failure) {
      notes.push(`${size / 1000}k: ${failure} (${((now() - fillStart) / 1000).toFixed(0)} s)`);
      break;
    }
    notes.push(`${size / 1000}k filled in ${((now() - fillStart) / 1000).toFixed(1)} s`);
    filled.push({ size, ns: await namespaceOf(fn as (...args: never[]) => unknown, resolveOptions(options as CacheOptions<never, never[]>)) });
    const writer = cache(fn, options);
    let callerMs = 0;
    const key = (i: number, round: number) => `s${round}:${i}`;
    // 100 new keys at once (as an app's burst of misses would come), each insert evicting one entry.
    contenders.push({
      name: `${size / 1000}k entries`,
      fixedOps: 100,
      run: async (n, round) => {
        const start = now();
        await Promise.all(Array.from({ length: n }, (_, i) => writer(key(i, round))));
        callerMs = now() - start;
        if (!(await waitPersisted(options, key(n - 1, round), 30_000))) throw new Error(`bench: scale ${size}: inserts never reached the disk`);
      },
      after: (_round, n) => ({ caller: callerMs / n }),
    });
  }
  if (contenders.length === 0) return naCase({ ...base, notes }, 'n/a: could not fill the disk tier');
  const results = await measure(contenders, scaled(SCALE, settings));
  // Eviction check: each namespace must still hold exactly maxItems entries.
  const db = await request(indexedDB.open(`${DB}-scale`));
  try {
    const store = db.transaction('entries', 'readonly').objectStore('entries');
    for (const { size, ns } of filled) {
      const count = await request(store.count(IDBKeyRange.bound([ns], [ns, []])));
      notes.push(`${size / 1000}k: ${count} entries on disk after the rounds${count === size ? '' : ` (⚠ maxItems is ${size})`}`);
    }
  } finally {
    db.close();
  }
  return { ...base, subject: results[results.length - 1]!.name, results: results.reverse(), notes };
}

/**
 * Case 1 for a `toDisk` cache with `maxItems` (LRU, the common setup): a memory hit also records the
 * use for the disk's eviction order, so it costs more than a memory-only hit.
 */
export async function memoryHitDiskCase(settings: BenchSettings): Promise<CaseResult> {
  const base = {
    id: 'memory-hit-string-todisk',
    group: 1,
    title: 'memory hit, one string argument, toDisk + maxItems (LRU)',
    env: 'chromium' as const,
    subject: 'idb-memo toDisk',
    unit: 'latency' as const,
    notes: ['toDisk: true, maxItems: 1000; the value is in the memory tier'],
  };
  const missing = await diskTierMissing();
  if (missing) return naCase(base, missing);
  const fn = compute as AsyncFn<string, unknown>;
  const ours = cache(fn, { toDisk: true, name: 'bench-memory-hit', cachePath: DB, maxItems: 1000 });
  const memoryOnly = cache(fn);
  const pm = pMemoizeAnchor.make(fn);
  await ours('alpha');
  await memoryOnly('alpha');
  await pm('alpha');
  const contenders: Contender[] = [
    { name: 'idb-memo toDisk', run: awaitLoop(ours, () => 'alpha') },
    { name: 'idb-memo memory-only', run: awaitLoop(memoryOnly, () => 'alpha') },
    { name: 'p-memoize', run: awaitLoop(pm, () => 'alpha') },
  ];
  const results = await measure(contenders, scaled(MEMORY_HIT, settings));
  return { ...base, results, notes: [...base.notes, `idb-memo toDisk: ${ours.stats().memoryHits} memory hits, ${ours.stats().misses} miss`] };
}
