/**
 * Cases that need IndexedDB, run in Chromium only: (2) disk hits with an empty memory tier,
 * (3) 100 concurrent cold lookups, (4) miss overhead with `toDisk`, (6) insert with eviction at
 * scale, and (7, in reload-cases.ts) the first lookup after a reload.
 *
 * How the disk tier is driven (note for whoever changes the disk tier — keep this working):
 * - A disk hit "with an empty memory tier" is produced without reloading the page: a *writer*
 *   `cache(fn, { toDisk: true, name, cachePath })` fills the keys, then every round empties every
 *   memory tier of the page with `forgetMemories()` (src/registry.ts: what a reload leaves) and makes
 *   a fresh *reader* with the same `fn`, `name` and `cachePath`. Each of its first calls per key must
 *   be answered from IndexedDB; `reader.stats().diskHits` is checked after every round, and if it
 *   stays 0 the case is reported "n/a".
 * - Functions of one `name` share their tiers within a page (src/tiers.ts `sharedTiers`), so a
 *   probe function cannot tell "on disk" from "in memory". A write is not awaited by the caller, so
 *   "persisted" is observed from outside: `flushCaches()` (every change of the page committed), then
 *   a raw read of the record under its disk key in the `entries` store.
 * - Relies on: `name\0version` being the namespace (src/cache.ts `tiersNow`), a single string
 *   argument being its own memory key and its hex SHA-256 (`digestOf`) the disk key, records keyed
 *   `[ns, key]` in `entries` (src/disk/schema.ts), and disk hits counted in `stats().diskHits`. If
 *   any of these changes, adjust `nsOf`, `diskKeyOf` and `rawFill`; the probes say so instead of measuring.
 * - The scale case (and the 1,000-entry namespace of the cold case) fill their entries straight
 *   into the `entries` store, with records and namespace counts exactly as src/disk/store.ts `write`
 *   makes them, after the library made the database. A library read of a raw-filled key must then
 *   be a disk hit, or the case says so instead of measuring.
 */
import { createStore, get as keyvalGet, set as keyvalSet, setMany as keyvalSetMany } from 'idb-keyval';
import localforage from 'localforage';
import { inNamespace, type EntryRecord, type NamespaceRecord } from '../src/disk/schema.ts';
import { cache, flushCaches, type CacheOptions } from '../src/index.ts';
import { digestOf } from '../src/key/digest.ts';
import { resolveOptions } from '../src/options.ts';
import { forgetMemories } from '../src/registry.ts';
import { compute, MEMORY_HIT } from './memory-cases.ts';
import { pMemoizeAnchor, type AsyncFn } from './anchors.ts';
import { awaitLoop, breathe, measure, now, scaled, type BenchSettings, type CaseResult, type Contender, type Measurement } from './harness.ts';

export const DB = 'idb-memo-bench';
type Value = unknown;
export type Options = CacheOptions<unknown, [key: string]>;

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

export const computeOf = (make: (key: string) => Value) => async (key: string): Promise<Value> => make(key);

/** The namespace of a `toDisk` function with `options` (not per session): `name \0 version`, as src/cache.ts makes it. */
export function nsOf(options: Options): string {
  const resolved = resolveOptions(options as CacheOptions<never, never[]>);
  return `${resolved.name!}\0${resolved.version}`;
}

/** The disk key of a call with one string argument: the string is its memory key, its hex SHA-256 the disk key. */
export function diskKeyOf(arg: string): Promise<string> {
  return digestOf(arg);
}

const rawConnections = new Map<string, Promise<IDBDatabase>>();
/** A connection of the bench's own to database `name` (made by the library first), closed if anyone upgrades it. */
export function rawDb(name: string): Promise<IDBDatabase> {
  let found = rawConnections.get(name);
  if (!found) {
    found = request(indexedDB.open(name)).then((db) => {
      db.onversionchange = () => {
        db.close();
        rawConnections.delete(name);
      };
      return db;
    });
    rawConnections.set(name, found);
  }
  return found;
}

/** Whether the record of `key` under `options` is in the `entries` store (read raw). */
async function rawHas(options: Options, key: string): Promise<boolean> {
  const db = await rawDb(options.cachePath!);
  const record = await request(db.transaction('entries', 'readonly').objectStore('entries').get([nsOf(options), await diskKeyOf(key)]));
  return record !== undefined;
}

/** Resolves true once `key` is on disk under `options` (see the header), false at the deadline. */
async function waitPersisted(options: Options, key: string, timeoutMs: number): Promise<boolean> {
  const deadline = now() + timeoutMs;
  for (;;) {
    await flushCaches();
    if (await rawHas(options, key)) return true;
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
      return 'n/a: a toDisk write never reached the entries store within 3 s (has its key or namespace changed? see the header of disk-cases.ts)';
    }
    forgetMemories();
    const reader = cache(computeOf(smallValue), options);
    await reader('detect');
    if (reader.stats().diskHits !== 1) return 'n/a: a stored result was not a disk hit for a reader with an empty memory tier';
    return undefined;
  })();
  return diskTier;
}

/**
 * Fills `keys` through a writer with `options` (1000 concurrent calls at a time) and waits until
 * the last one is on disk. False past `deadline` (a `now()`).
 */
export async function fill(options: Options, make: (key: string) => Value, keys: readonly string[], deadline: number): Promise<boolean> {
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
 * Fills `keys` (none of them stored yet) into the namespace of `options`, straight into its store
 * (see the header): records and namespace count as src/disk/store.ts `write` leaves them, stored
 * in the order of `keys` (the first is the least recently used). The library makes the database
 * first, with a write of another namespace; `make` gives each value. Resolves a reason on failure.
 */
async function rawFill(options: Options, make: (key: string) => Value, keys: readonly string[], deadline: number): Promise<string | undefined> {
  const opener: Options = { toDisk: true, name: 'bench-open', cachePath: options.cachePath! };
  await cache(computeOf(smallValue), opener)('open');
  if (!(await waitPersisted(opener, 'open', 5_000))) return 'the library never made the database';
  const ns = nsOf(options);
  const db = await rawDb(options.cachePath!);
  const base = Date.now();
  const chunk = 10_000;
  for (let i = 0; i < keys.length; i += chunk) {
    if (now() > deadline) return 'not filled within the time box';
    const batch = keys.slice(i, Math.min(i + chunk, keys.length));
    const hashed = await Promise.all(batch.map(diskKeyOf));
    const tx = db.transaction(['entries', 'namespaces'], 'readwrite');
    const entries = tx.objectStore('entries');
    const namespaces = tx.objectStore('namespaces');
    if (i === 0) entries.delete(inNamespace(ns));
    const found = i === 0 ? undefined : ((await request(namespaces.get(ns))) as NamespaceRecord | undefined);
    batch.forEach((key, j) => {
      // Past, increasing stamps (a future one reads as a clock that moved back): LRU order = fill order.
      const at = base - keys.length + i + j;
      // As Tiers.writeThrough makes a record of a new result without a ttl.
      const record: EntryRecord = { ns, key: hashed[j]!, value: make(key), storedAt: at, expiresAt: Infinity, accessedAt: at, hits: 1 };
      entries.put(record);
    });
    const record: NamespaceRecord = { ns, seq: 0, floor: 0, tombs: 0, ...found, count: (found?.count ?? 0) + batch.length, usedAt: Date.now() };
    namespaces.put(record);
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  }
  // A raw-filled key must be a disk hit of the library (a probe that fails on a miss).
  const probe = cache(
    (async () => {
      throw new Error('not on disk');
    }) as (key: string) => Promise<Value>,
    options,
  );
  const last = keys[keys.length - 1]!;
  const hit = await probe(last).then(
    () => true,
    () => false,
  );
  if (!hit) return 'raw-filled entries are not disk hits (has the record shape in src/disk/schema.ts changed? update rawFill)';
  return undefined;
}

/** A promise of a raw IndexedDB request's result. */
function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
const utf8 = new TextEncoder();

/** Hex SHA-256 of `text` (UTF-8) by Web Crypto: the bench's own, for the floors. */
export async function webCryptoHex(text: string): Promise<string> {
  let hex = '';
  for (const byte of new Uint8Array(await crypto.subtle.digest('SHA-256', utf8.encode(text)))) hex += HEX[byte]!;
  return hex;
}

/**
 * The floor of a disk hit: the SHA-256 of the key by Web Crypto, then one get of its record from
 * idb-memo's `entries` store in a readonly transaction (on a connection opened before).
 */
export async function floorRead(db: IDBDatabase, ns: string, key: string): Promise<unknown> {
  const hex = await webCryptoHex(key);
  return request(db.transaction('entries', 'readonly').objectStore('entries').get([ns, hex]));
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
  const digests = await Promise.all(keys.map(webCryptoHex));
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

/** The name of the disk-hit floor contender. */
export const FLOOR = 'floor: SHA-256 + 1 get of the record';

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
      notes: [
        `${keyCount} distinct keys per round, read one after another (each awaited); before each idb-memo round forgetMemories() empties every memory tier of the page, as a reload would`,
        `${FLOOR}: crypto.subtle.digest of the key (UTF-8) to hex, then one get of its [ns, digest] record from idb-memo's entries store in a readonly transaction, on a connection opened before`,
      ],
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
    const idb = await rawDb(DB);
    const ns = nsOf(options);
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
        // A function of one name shares its tiers within a page: empty every memory tier, as a reload would.
        prepare: () => {
          forgetMemories();
          reader = cache(fn, options);
        },
        run: async () => {
          for (const key of keys) await reader(key);
        },
        after: () => check(reader.stats().diskHits, keyCount),
      },
      // The floor (issue 23): a Web Crypto SHA-256 of the key, then one get of idb-memo's own record.
      { name: FLOOR, fixedOps: keyCount, run: sequential((key) => floorRead(idb, ns, key)) },
      { name: 'idb-keyval get', fixedOps: keyCount, run: sequential((key) => keyvalGet(key, anchors.keyvalStore)) },
      {
        // The floor of issue 11: a SHA-256-keyed store built on idb-keyval.
        name: 'SHA-256 digest + idb-keyval get',
        fixedOps: keyCount,
        run: sequential(async (key) => keyvalGet(await webCryptoHex(key), anchors.keyvalStore)),
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
    results.push({
      ...base,
      results: measured,
      targets: [
        {
          label: `disk hit, ${label === 'small' ? 'small value' : '~250 KB value'}`,
          anchor: FLOOR,
          limit: 1.1,
          source: 'issue 23',
          how: `idb-memo: ${keyCount} awaited calls of a reader whose memory tiers forgetMemories() emptied (as a reload would); floor: crypto.subtle.digest of the key to hex, then one get of its [ns, digest] record from idb-memo's own entries store in a readonly transaction, on a connection opened before`,
        },
      ],
    });
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
      'idb-memo: Promise.all of 100 calls on a reader with an empty memory tier; each read comes after its key\'s digest, and the disk tier batches them (src/disk/index.ts); its namespace holds just these 100 entries',
      'idb-memo, namespace of 1,000: the same 100 calls where the namespace holds 1,000 entries (raw-filled, see the header)',
    ],
  };
  const missing = await diskTierMissing();
  if (missing) return naCase(base, missing);
  const keys = Array.from({ length: count }, (_, i) => `cold-${i}`);
  const options: Options = { toDisk: true, name: 'bench-cold', cachePath: DB };
  if (!(await fill(options, smallValue, keys, now() + 30_000))) return naCase(base, 'n/a: filled keys never became readable from disk');
  const largeOptions: Options = { toDisk: true, name: 'bench-cold-1k', cachePath: DB };
  const largeKeys = Array.from({ length: 1000 }, (_, i) => `cold-${i}`);
  const failure = await rawFill(largeOptions, smallValue, largeKeys, now() + 60_000);
  if (failure) return naCase(base, `n/a: ${failure}`);
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
        forgetMemories();
        reader = cache(fn, options);
      },
      run: () => Promise.all(keys.map((key) => reader(key))),
      after: () => check(reader.stats().diskHits, count),
    },
    {
      name: 'idb-memo, namespace of 1,000',
      fixedOps: 1,
      prepare: () => {
        forgetMemories();
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
  return {
    ...base,
    results: measured,
    targets: [
      {
        label: '100 concurrent cold lookups, ≥ 3× faster than sequential gets',
        anchor: 'idb-keyval get ×100 sequential',
        limit: 1 / 3,
        source: 'issue 6',
        how: 'idb-keyval: 100 gets of the same keys and values, each awaited before the next',
      },
    ],
  };
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
    const failure = await rawFill(options, smallValue, keys, fillDeadline);
    if (failure) {
      notes.push(`${size / 1000}k: ${failure} (${((now() - fillStart) / 1000).toFixed(0)} s)`);
      break;
    }
    notes.push(`${size / 1000}k filled in ${((now() - fillStart) / 1000).toFixed(1)} s`);
    filled.push({ size, ns: nsOf(options) });
    // Made after the fill: its memory tier loads the order of the entries on disk (once, not timed).
    const writer = cache(fn, options);
    await writer('warm-up');
    if (!(await waitPersisted(options, 'warm-up', 30_000))) {
      notes.push(`${size / 1000}k: a first insert never reached the disk`);
      break;
    }
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
  const store = (await rawDb(`${DB}-scale`)).transaction('entries', 'readonly').objectStore('entries');
  for (const { size, ns } of filled) {
    const count = await request(store.count(inNamespace(ns)));
    notes.push(`${size / 1000}k: ${count} entries on disk after the rounds${count === size ? '' : ` (⚠ maxItems is ${size})`}`);
  }
  // Measured smallest first; printed largest first (the subject), each compared with the smallest.
  const smallest = results[0]!.name;
  const largest = results[results.length - 1]!.name;
  return {
    ...base,
    subject: largest,
    results: [...results].reverse(),
    notes,
    targets:
      results.length > 1
        ? [
            {
              label: `flat scale curve: per insert at ${largest} ≤ 1.5× at ${smallest}`,
              anchor: smallest,
              limit: 1.5,
              source: 'issue 6',
              how: 'the same 100 concurrent inserts into a namespace holding fewer entries',
            },
          ]
        : [],
  };
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
