/**
 * Case 7 (issue 23): the first lookup after a reload. Every round loads a fresh page (an iframe of
 * bench/reload.html: a library instance of its own, no open connection, no module state) on
 * databases filled before, and times inside it one first read from the start of the library's use
 * to the answer: open + read.
 */
import { createStore, setMany as keyvalSetMany } from 'idb-keyval';
import { DB, diskTierMissing, fill, smallValue, type Options } from './disk-cases.ts';
import { measure, scaled, type BenchSettings, type CaseResult, type Contender } from './harness.ts';

/** What a fresh page is asked to time (see reload-page.ts). */
export interface FirstLookup {
  contender: 'idb-memo' | 'idb-memo, disk chunk loaded' | 'idb-keyval' | 'raw IndexedDB';
  /** The database: idb-memo's `cachePath`, or idb-keyval's database (its store is `kv`). */
  db: string;
  /** idb-memo's `name`. */
  name: string;
  key: string;
}

export interface FirstLookupResult {
  ms: number;
  /** Whether the value was read from the disk (for idb-memo: a disk hit). */
  found: boolean;
}

const FIRST = { targetMs: 10, rounds: 21, minRounds: 7, budgetMs: 40_000 };
const KEYS = 50;
const KEYVAL_DB = 'bench-keyval-reload';

/** Loads a fresh page; resolves its entry point once its modules ran. */
async function freshPage(): Promise<{ frame: HTMLIFrameElement; lookup: (spec: FirstLookup) => Promise<FirstLookupResult> }> {
  const frame = document.createElement('iframe');
  frame.style.display = 'none';
  frame.src = new URL('./reload.html', location.href).href;
  document.body.append(frame);
  for (let waited = 0; ; waited += 5) {
    const lookup = frame.contentWindow?.__idbMemoReload;
    if (lookup) return { frame, lookup };
    if (waited > 20_000) throw new Error('bench: the fresh page never loaded');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export async function firstLookupCase(settings: BenchSettings): Promise<CaseResult> {
  const base = {
    id: 'first-lookup',
    group: 7,
    title: 'first lookup after a reload (fresh page: open + read)',
    env: 'chromium' as const,
    subject: 'idb-memo',
    unit: 'latency' as const,
    notes: [
      'each round loads a fresh page (an iframe: its own library instance and connections) and times inside it, from the first use of the library to the value',
      'idb-memo: cache(fn, { toDisk, name, cachePath }) made, then called once: a disk hit (the timed part includes loading the disk chunk, opening the database, the digest and the read)',
      'idb-memo, disk chunk loaded: the same, with the disk tier chunk imported before the timer starts (as when the cache was made at start, long before its first call)',
      'idb-keyval: createStore(db, "kv") then get(key): its first get after a reload',
      'raw IndexedDB: indexedDB.open(db), then one get in a readonly transaction',
      `keys taken in turn from ${KEYS}, small values; idb-memo's database holds other namespaces too (the bench's other cases)`,
    ],
  };
  const missing = await diskTierMissing();
  if (missing) return { ...base, results: [], na: missing };
  const keys = Array.from({ length: KEYS }, (_, i) => `first-${i}`);
  const options: Options = { toDisk: true, name: 'bench-first-lookup', cachePath: DB };
  if (!(await fill(options, smallValue, keys, performance.now() + 30_000))) return { ...base, results: [], na: 'n/a: filled keys never became readable from disk' };
  await keyvalSetMany(
    keys.map((key) => [key, smallValue(key)]),
    createStore(KEYVAL_DB, 'kv'),
  );
  let short = 0;
  const contender = (name: FirstLookup['contender'], db: string): Contender => {
    let page: Awaited<ReturnType<typeof freshPage>> | undefined;
    return {
      name,
      fixedOps: 1,
      selfTimed: true,
      prepare: async () => {
        page = await freshPage();
        // Let the fresh page settle (its load event, idle callbacks) before it is timed.
        await new Promise((resolve) => setTimeout(resolve, 20));
      },
      run: async (_n, round) => {
        const { ms, found } = await page!.lookup({ contender: name, db, name: options.name!, key: keys[(round + KEYS * 4) % KEYS]! });
        if (!found) short++;
        return ms;
      },
      after: () => {
        page?.frame.remove();
        page = undefined;
      },
    };
  };
  const contenders = [
    contender('idb-memo', DB),
    contender('idb-keyval', KEYVAL_DB),
    contender('idb-memo, disk chunk loaded', DB),
    contender('raw IndexedDB', KEYVAL_DB),
  ];
  const results = await measure(contenders, scaled(FIRST, settings));
  const how =
    'a fresh page per round (an iframe: its own library instance, no open connection) on databases filled before; timed inside it from the first use of the library to the value; idb-keyval: createStore(db, "kv") then get(key)';
  return {
    ...base,
    results,
    notes: [...base.notes, ...(short > 0 ? [`⚠ ${short} first lookups found nothing on disk`] : [])],
    targets: [
      { label: 'first lookup after a reload (disk chunk loaded by the call)', anchor: 'idb-keyval', limit: 1.2, source: 'issue 23', how },
      {
        label: 'first lookup after a reload (disk chunk loaded before)',
        subject: 'idb-memo, disk chunk loaded',
        anchor: 'idb-keyval',
        limit: 1.2,
        source: 'issue 23',
        how: `${how}; the disk tier's chunk imported before the timer starts`,
      },
    ],
  };
}
