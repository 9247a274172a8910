// One tab of the chaos test (issue 7), driven by test/e2e/chaos.test.ts: deterministic memoized
// functions over KEYS keys, every answer checked here against the true result for its arguments.
// The tally lives in sessionStorage, so it survives reloads of the tab (and nothing else).
import * as idbMemo from '../../../src/index';
import { digestOf, finishKey } from '../../../src/key/digest';
import { encodeCall, KEY_START } from '../../../src/key/encode';

/** Distinct keys per function. */
export const KEYS = 200;
/** A result may be served at most this long past its ttl (the time between stamping and storing it). */
const TTL_SLACK_MS = 1000;
/** Share of computations of the flaky function that throw. */
const FLAKY_RATE = 0.15;

type Options = idbMemo.CacheOptionsBase<unknown, [KeyArg]>;

/** A memoized function of the chaos run. */
export interface FunctionSpec {
  readonly name: string;
  readonly options: Options;
  /** Mixed into every result, so that functions never answer for each other unnoticed. */
  readonly salt: number;
  /** Results carry a 48 KB payload and arguments a 1 KB array (digested, not inlined). */
  readonly big?: boolean;
  /** Some computations throw (the function's own error, which must reach its callers and never be cached). */
  readonly flaky?: boolean;
}

export const FUNCTIONS: readonly FunctionSpec[] = [
  { name: 'lru', salt: 11, options: { maxItems: 40, policy: 'LRU' } },
  { name: 'lfu-ttl', salt: 23, options: { maxItems: 30, policy: 'LFU', ttl: 1.5 } },
  { name: 'fifo', salt: 37, options: { maxItems: 80, policy: 'FIFO' } },
  { name: 'ttl', salt: 41, options: { ttl: 2 } },
  { name: 'session', salt: 53, options: { perSession: true, maxItems: 60 } },
  { name: 'big', salt: 67, big: true, options: { maxItems: 25, policy: 'lru', cachePath: 'chaos-big' } },
  { name: 'flaky', salt: 79, flaky: true, options: { maxItems: 100, policy: 'FIFO' } },
];

/** The argument of every chaos function: equal for equal `id`, whatever `form` built it. */
export interface KeyArg {
  id: number;
  group: number;
  meta: { when: Date; tags: Set<string>; blob?: Uint8Array };
}

/** Builds the argument of key `id` in one of three equal forms (key order, Set order, fresh objects). */
export function argFor(spec: FunctionSpec, id: number, form: number): KeyArg {
  const when = new Date(Date.UTC(2024, 0, 1) + id * 60_000);
  const blob = spec.big ? new Uint8Array(1024).fill((id * 7) & 255) : undefined;
  const tags = [`t${id % 3}`, 'shared'];
  switch (form % 3) {
    case 0:
      return { id, group: id % 7, meta: { when, tags: new Set(tags), ...(blob && { blob }) } };
    case 1:
      return { meta: { ...(blob && { blob }), tags: new Set([...tags].reverse()), when }, group: id % 7, id };
    default: {
      // The blob as a view into a larger buffer, the Date made anew.
      const view = blob && new Uint8Array(new ArrayBuffer(blob.length + 16), 8, blob.length).fill(blob[0]!);
      return { group: id % 7, id, meta: { tags: new Set(tags), when: new Date(when.getTime()), ...(view && { blob: view }) } };
    }
  }
}

/** The true result for key `id`, with the types structured clone must keep. */
export function truth(spec: FunctionSpec, id: number) {
  const { salt } = spec;
  return {
    fn: spec.name,
    id,
    label: `${spec.name}:${id}:${salt}`,
    when: new Date(Date.UTC(2020, 0, 1) + id * 3_600_000 + salt),
    tags: new Map<string, number>([
      ['id', id],
      ['square', id * id],
      ['salt', salt],
    ]),
    members: new Set([id, id + salt, `${id}`]),
    bytes: Uint8Array.from({ length: 8 + (id % 24) }, (_, i) => (i * 31 + id + salt) & 255),
    floats: new Float64Array([id / 7, -id, salt + 0.5, NaN]),
    big: BigInt(id) ** 5n + BigInt(salt),
    nested: { list: [{ id }, [id, String(id), null, undefined]] },
    ...(spec.big && { payload: Float64Array.from({ length: 6144 }, (_, i) => i * id + salt) }),
  };
}

/** Who computed a result: set by the function, not part of the true result. */
export interface Stamp {
  tab: number;
  load: number;
  at: number;
}

/** A tab's counts since it was opened (kept across its reloads). */
export interface Tally {
  tab: number;
  loads: number;
  /** Calls made / settled / resolved (a reload can interrupt calls: started − settled). */
  started: number;
  settled: number;
  resolved: number;
  /** Resolved with something else than the true result. */
  wrong: number;
  /** Rejected with something else than the function's own error. */
  failed: number;
  /** Rejected with the function's own error (the flaky function threw). */
  ownErrors: number;
  /** Computations run in this tab, and how many of them threw. */
  computations: number;
  thrown: number;
  /** Answered with a result computed by another tab (through IndexedDB or a cross-tab lock). */
  crossTab: number;
  /** A ttl function answered with a result older than its ttl. */
  stale: number;
  /** A per-session function answered with another tab's result. */
  foreignSession: number;
  unhandled: number;
  pageErrors: number;
  ops: { clear: number; delete: number; clearCaches: number };
  /** When each clear()/clearCaches() of this tab started: nothing computed before it may be on disk after it. */
  wipes: Wipe[];
  samples: string[];
}

/**
 * A clear() of function `fn`, or a clearCaches() (no `fn`), that started at `at` (Date.now()). A
 * clear() of a per-session function covers the entries of the clearing tab's `session` only.
 */
export interface Wipe {
  fn?: number;
  at: number;
  session?: string;
}

/** What the audit checks beyond each record being whole and right. */
export interface AuditExpectations {
  /** The session ids of the live tabs: a per-session record of any other session outlived it. */
  liveSessions?: string[];
  /** Every wipe of the run: a record computed before a wipe that covers it was brought back. */
  wipes?: Wipe[];
}

/** A step of the workload, chosen by the test runner. */
export type Op =
  | { op: 'call'; fn: number; id: number; form: number }
  | { op: 'delete'; fn: number; id: number }
  | { op: 'clear'; fn: number }
  | { op: 'clearCaches' };

/** What a check of the stored entries found. */
export interface Audit {
  databases: string[];
  entries: number;
  namespaces: Record<string, { entries: number; counted: number | null }>;
  issues: string[];
}

const params = new URLSearchParams(location.search);
const TAB = Number(params.get('tab') ?? 0);
const TALLY_KEY = 'chaos:tally';

function loadTally(): Tally {
  const stored = sessionStorage.getItem(TALLY_KEY);
  const tally = stored ? (JSON.parse(stored) as Tally) : undefined;
  // A tab opened with window.open inherits its opener's sessionStorage, tally included.
  if (tally?.tab === TAB) return tally;
  return {
    tab: TAB,
    loads: 0,
    started: 0,
    settled: 0,
    resolved: 0,
    wrong: 0,
    failed: 0,
    ownErrors: 0,
    computations: 0,
    thrown: 0,
    crossTab: 0,
    stale: 0,
    foreignSession: 0,
    unhandled: 0,
    pageErrors: 0,
    ops: { clear: 0, delete: 0, clearCaches: 0 },
    wipes: [],
    samples: [],
  };
}

const tally = loadTally();
tally.loads++;
const save = () => sessionStorage.setItem(TALLY_KEY, JSON.stringify(tally));
const sample = (message: string) => {
  if (tally.samples.length < 20) tally.samples.push(`tab ${TAB} load ${tally.loads}: ${message}`);
};
save();

addEventListener('unhandledrejection', (event) => {
  tally.unhandled++;
  const stack = event.reason instanceof Error && event.reason.stack ? event.reason.stack.split('\n').slice(1, 3).map((line) => line.trim()).join(' < ') : '';
  sample(`unhandled rejection: ${describeError(event.reason)}${stack ? ` at ${stack}` : ''}`);
  save();
});
addEventListener('error', (event) => {
  tally.pageErrors++;
  sample(`page error: ${event.message}`);
  save();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function makeFunction(spec: FunctionSpec) {
  return async (arg: KeyArg) => {
    tally.computations++;
    save();
    await sleep(2 + Math.random() * 12);
    if (spec.flaky && Math.random() < FLAKY_RATE) {
      tally.thrown++;
      save();
      throw new Error(`flaky:${spec.name}:${arg.id}`);
    }
    const stamp: Stamp = { tab: TAB, load: tally.loads, at: Date.now() };
    return { body: truth(spec, arg.id), stamp };
  };
}

const memos = FUNCTIONS.map((spec) => idbMemo.cache(makeFunction(spec), { toDisk: true, name: spec.name, ...spec.options }));

// ---------------------------------------------------------------------------------------------
// Checking answers.

/** Structural equality that also checks types (a Map must come back a Map, a Float64Array a Float64Array). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a !== typeof b) return false;
  if (typeof a === 'number') return a === b || (Number.isNaN(a) && Number.isNaN(b));
  if (typeof a !== 'object' || a === null || b === null) return a === b;
  const [x, y] = [a as object, b as object];
  if (Object.getPrototypeOf(x) !== Object.getPrototypeOf(y)) return false;
  if (x instanceof Date) return x.getTime() === (y as Date).getTime();
  if (ArrayBuffer.isView(x)) {
    const [p, q] = [x, y as ArrayBufferView].map((v) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    return p!.length === q!.length && p!.every((byte, i) => byte === q![i]);
  }
  if (x instanceof Map) {
    const other = y as Map<unknown, unknown>;
    return x.size === other.size && [...x].every(([k, v]) => other.has(k) && sameValue(v, other.get(k)));
  }
  if (x instanceof Set) {
    const other = y as Set<unknown>;
    return x.size === other.size && [...x].every((member) => other.has(member));
  }
  if (Array.isArray(x)) return x.length === (y as unknown[]).length && x.every((item, i) => sameValue(item, (y as unknown[])[i]));
  const keys = Object.keys(x);
  return (
    keys.length === Object.keys(y).length &&
    keys.every((k) => Object.hasOwn(y, k) && sameValue((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k]))
  );
}

function isAnswer(value: unknown): value is { body: unknown; stamp: Stamp } {
  return typeof value === 'object' && value !== null && 'body' in value && 'stamp' in value;
}

function check(spec: FunctionSpec, id: number, value: unknown, startedAt: number): void {
  if (!isAnswer(value) || !sameValue(value.body, truth(spec, id))) {
    tally.wrong++;
    const got = isAnswer(value) ? (value.body as { label?: unknown }).label : typeof value;
    sample(`WRONG VALUE from ${spec.name}(${id}): got ${String(got)}`);
    return;
  }
  const { stamp } = value;
  if (stamp.tab !== TAB) {
    tally.crossTab++;
    if (spec.options.perSession) {
      tally.foreignSession++;
      sample(`per-session ${spec.name}(${id}) answered with tab ${stamp.tab}'s result`);
    }
  }
  const ttl = spec.options.ttl;
  if (ttl !== undefined && startedAt > stamp.at + ttl * 1000 + TTL_SLACK_MS) {
    tally.stale++;
    sample(`stale ${spec.name}(${id}): computed ${startedAt - stamp.at} ms before the call, ttl ${ttl} s`);
  }
}

async function call(op: Extract<Op, { op: 'call' }>): Promise<void> {
  const spec = FUNCTIONS[op.fn]!;
  tally.started++;
  save();
  const startedAt = Date.now();
  try {
    const memo = memos[op.fn]!; // called bare: no receiver in the key, as in the audit
    const value = await memo(argFor(spec, op.id, op.form));
    tally.resolved++;
    check(spec, op.id, value, startedAt);
  } catch (error) {
    if (spec.flaky && error instanceof Error && error.message === `flaky:${spec.name}:${op.id}`) tally.ownErrors++;
    else {
      tally.failed++;
      sample(`call ${spec.name}(${op.id}) failed: ${describeError(error)}`);
    }
  } finally {
    tally.settled++;
    save();
  }
}

async function run(op: Op): Promise<void> {
  try {
    switch (op.op) {
      case 'call':
        return await call(op);
      case 'delete':
        tally.ops.delete++;
        await memos[op.fn]!.delete(argFor(FUNCTIONS[op.fn]!, op.id, 0));
        return;
      case 'clear':
        tally.ops.clear++;
        tally.wipes.push({ fn: op.fn, at: Date.now(), session: sessionStorage.getItem('idb-memo:session') ?? undefined });
        await memos[op.fn]!.clear();
        return;
      case 'clearCaches':
        tally.ops.clearCaches++;
        tally.wipes.push({ at: Date.now() });
        await idbMemo.clearCaches();
        return;
    }
  } catch (error) {
    if (op.op !== 'call') {
      tally.failed++;
      sample(`${op.op} failed: ${describeError(error)}`);
    }
  } finally {
    save();
  }
}

/** Runs `ops` with at most `concurrency` of them in flight. */
async function runChunk(ops: Op[], concurrency: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < ops.length) await run(ops[next++]!);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

// ---------------------------------------------------------------------------------------------
// Reading the database raw.

async function databaseNames(): Promise<string[]> {
  return (await indexedDB.databases()).map((d) => d.name ?? '');
}

const request = <T>(req: IDBRequest<T>) =>
  new Promise<T>((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });

/** The number of entries stored in `path` (0 if it does not exist), without reading their values. */
async function countEntries(path: string): Promise<number> {
  if (!(await databaseNames()).includes(path)) return 0;
  const db = await request(indexedDB.open(path));
  try {
    if (!db.objectStoreNames.contains('entries')) return 0;
    return await request(db.transaction('entries', 'readonly').objectStore('entries').count());
  } finally {
    db.close();
  }
}

/** The primary keys of every record of every store of `path`, by store (nothing if it does not exist). */
async function storedKeys(path: string): Promise<Record<string, unknown[]>> {
  if (!(await databaseNames()).includes(path)) return {};
  const db = await request(indexedDB.open(path));
  try {
    const names = [...db.objectStoreNames];
    const tx = db.transaction(names, 'readonly');
    return Object.fromEntries(await Promise.all(names.map(async (name) => [name, await request(tx.objectStore(name).getAllKeys())] as const)));
  } finally {
    db.close();
  }
}

/** Every record of the `entries` and `namespaces` stores of `path` (nothing if it does not exist). */
async function rawStores(path: string): Promise<{ entries: Record<string, unknown>[]; namespaces: { ns: string; count: number }[] }> {
  if (!(await databaseNames()).includes(path)) return { entries: [], namespaces: [] };
  const db = await request(indexedDB.open(path));
  try {
    if (!db.objectStoreNames.contains('entries')) return { entries: [], namespaces: [] };
    const tx = db.transaction(['entries', 'namespaces'], 'readonly');
    const [entries, namespaces] = await Promise.all([
      request(tx.objectStore('entries').getAll()) as Promise<Record<string, unknown>[]>,
      request(tx.objectStore('namespaces').getAll()) as Promise<{ ns: string; count: number }[]>,
    ]);
    return { entries, namespaces };
  } finally {
    db.close();
  }
}

/** The stored key of arguments `args`, as cache() computes it (a single string argument is its own memory key). */
async function storedKeyOf(args: unknown[]): Promise<string> {
  const [only] = args;
  const single = args.length === 1 && typeof only === 'string' && !only.startsWith(KEY_START);
  return digestOf(single ? only : await finishKey(encodeCall(args, undefined, [], true)));
}

/**
 * Checks every stored entry of `paths`: each record whole (every field, current format), its value
 * the true result for the key it is stored under, no namespace over its `maxItems`, and each
 * namespace's count in step with its entries.
 */
async function audit(paths: string[], specs: readonly FunctionSpec[] = FUNCTIONS, expect: AuditExpectations = {}): Promise<Audit> {
  const result: Audit = { databases: await databaseNames(), entries: 0, namespaces: {}, issues: [] };
  for (const path of paths) {
    const { entries, namespaces } = await rawStores(path);
    result.entries += entries.length;
    const perNs = new Map<string, number>();
    for (const record of entries) {
      const ns = String(record.ns);
      perNs.set(ns, (perNs.get(ns) ?? 0) + 1);
      const spec = specs.find((s) => ns.startsWith(`${s.name}\0`));
      if (!spec) continue; // another user of the database (e.g. cachedFetch)
      const value = record.value as { body?: { id?: unknown }; stamp?: unknown } | undefined;
      const id = value?.body?.id;
      const whole =
        typeof record.key === 'string' &&
        typeof record.storedAt === 'number' &&
        typeof record.expiresAt === 'number' &&
        typeof record.accessedAt === 'number' &&
        typeof record.hits === 'number' &&
        typeof id === 'number' &&
        isAnswer(value);
      if (!whole) {
        result.issues.push(`${path}: a partial or malformed record in ${ns}`);
        continue;
      }
      if (!sameValue(value.body, truth(spec, id))) result.issues.push(`${path}: ${ns} holds a wrong value for key ${id}`);
      // The forms of an argument differ in Set order, which keys keep (docs/keys.md): any form's key is right.
      const keys = await Promise.all([0, 1, 2].map((form) => storedKeyOf([argFor(spec, id, form)])));
      if (!keys.includes(record.key as string)) result.issues.push(`${path}: ${ns} holds key ${id}'s value under another key`);
      const session = ns.split('\0')[2];
      if (spec.options.perSession && session === undefined) result.issues.push(`${path}: per-session record of ${ns} names no session`);
      if (spec.options.perSession && expect.liveSessions && !expect.liveSessions.includes(String(session))) {
        result.issues.push(`${path}: ${ns} holds key ${id} of a session that ended`);
      }
      const fn = specs.indexOf(spec);
      const covers = (wipe: Wipe) =>
        wipe.fn === undefined || (wipe.fn === fn && (!spec.options.perSession || wipe.session === session));
      const undone = expect.wipes?.find((wipe) => covers(wipe) && value.stamp.at < wipe.at);
      if (undone) {
        const what = undone.fn === undefined ? 'clearCaches()' : 'clear()';
        result.issues.push(`${path}: ${ns} holds key ${id}, computed ${undone.at - value.stamp.at} ms before a ${what} that should have removed it`);
      }
    }
    const counted = new Map(namespaces.map(({ ns, count }) => [ns, count]));
    for (const ns of new Set([...perNs.keys(), ...counted.keys()])) {
      const stored = perNs.get(ns) ?? 0;
      const count = counted.get(ns) ?? null;
      result.namespaces[`${path} ${ns}`] = { entries: stored, counted: count };
      if (stored !== (count ?? 0)) result.issues.push(`${path}: namespace ${ns} counts ${count} entries but holds ${stored}`);
      const spec = specs.find((s) => ns.startsWith(`${s.name}\0`));
      const maxItems = spec?.options.maxItems ?? Infinity;
      if (stored > maxItems) result.issues.push(`${path}: namespace ${ns} holds ${stored} entries, over its maxItems ${maxItems}`);
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Crash safety: a burst of large writes, interrupted; then everything read back.

const CRASH_PATH = 'chaos-crash';

function crashValue(id: number, size: number) {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 13 + id * 7) & 255;
  let sum = 0;
  for (let i = 0; i < size; i += 97) sum = (sum * 31 + bytes[i]!) >>> 0;
  return { id, bytes, sum, tail: `end-of-${id}` };
}

function crashIsWhole(value: unknown, id: number, size: number): boolean {
  return sameValue(value, crashValue(id, size));
}

function crashMemo(onCompute: () => void, stagger: boolean) {
  return idbMemo.cache(
    async (id: number, size: number) => {
      onCompute();
      if (stagger) await sleep(id * 10); // results arrive one after the other over 1.6 s: many write transactions, and time to kill the page mid-burst
      return crashValue(id, size);
    },
    { toDisk: true, name: 'crash', cachePath: CRASH_PATH },
  );
}

/** Starts `n` calls whose results are `size`-byte arrays; does not wait for them. */
function crashBurst(n: number, size: number): void {
  const memo = crashMemo(() => {}, true);
  for (let id = 0; id < n; id++) void memo(id, size);
}

/** Reads every key back through the library and raw: how many were whole from disk, recomputed, or broken. */
async function crashReadBack(n: number, size: number) {
  const rawIssues: string[] = [];
  const { entries, namespaces } = await rawStores(CRASH_PATH);
  for (const record of entries) {
    const value = record.value as { id?: unknown } | undefined;
    const id = typeof value?.id === 'number' ? value.id : -1;
    if (typeof record.storedAt !== 'number' || !crashIsWhole(value, id, size)) {
      rawIssues.push(`record for key ${id} is not whole`);
    } else if (record.key !== (await storedKeyOf([id, size]))) {
      rawIssues.push(`record for key ${id} is stored under another key`);
    }
  }
  const counted = namespaces.reduce((sum, { count }) => sum + count, 0);
  if (counted !== entries.length) rawIssues.push(`namespace counts ${counted} entries, store holds ${entries.length}`);
  let computed = 0;
  const memo = crashMemo(() => computed++, false);
  const answers = await Promise.all(Array.from({ length: n }, (_, id) => memo(id, size)));
  const broken = answers.flatMap((answer, id) => (crashIsWhole(answer, id, size) ? [] : [id]));
  const whole = n - broken.length;
  return { rawEntries: entries.length, rawIssues, whole, broken, fromDisk: memo.stats().diskHits, computed };
}

// ---------------------------------------------------------------------------------------------
// Security probes.

/** One call of chaos function `fn` for key `id`: whether the answer was right, and who computed it. */
async function probe(fn: number, id: number): Promise<{ right: boolean; tab: number | undefined }> {
  const spec = FUNCTIONS[fn]!;
  const memo = memos[fn]!;
  const value = await memo(argFor(spec, id, 0));
  return { right: isAnswer(value) && sameValue(value.body, truth(spec, id)), tab: isAnswer(value) ? value.stamp.tab : undefined };
}

/** A memoized function on `cachePath` whose entries are left for clearCaches() to find. */
async function touchPath(cachePath: string, perSession = false): Promise<void> {
  const memo = idbMemo.cache((n: number) => ({ n, path: cachePath }), { toDisk: true, name: `wipe-${cachePath}`, cachePath, perSession, maxItems: 10 });
  for (let i = 0; i < 3; i++) await memo(i);
  for (let i = 0; i < 3; i++) await memo(i); // memory hits: access bookkeeping pending
}

interface FetchApi {
  cachedFetch?: (input: RequestInfo | URL, init?: RequestInit, options?: object) => Promise<Response>;
  cacheStatus?: (response: Response) => string | undefined;
}
const fetchApi = idbMemo as unknown as FetchApi;

/**
 * `cachedFetch(url)` with `authorization` (if any), fresh for an hour (the API sends no freshness
 * headers, and an answer without them is stale at once); undefined when cachedFetch is not exported.
 */
async function fetchAs(url: string, authorization: string | undefined): Promise<{ body: string; status: string | undefined } | undefined> {
  const { cachedFetch, cacheStatus } = fetchApi;
  if (typeof cachedFetch !== 'function') return undefined;
  const headers: Record<string, string> = authorization === undefined ? {} : { Authorization: authorization };
  const response = await cachedFetch(url, { headers }, { ttl: 3600 });
  return { body: await response.text(), status: cacheStatus?.(response) };
}

/** Every stored record of `path`, as text (binary bodies decoded), to search for secrets. */
async function rawText(path: string): Promise<string> {
  const { entries, namespaces } = await rawStores(path);
  const decoder = new TextDecoder();
  return JSON.stringify([entries, namespaces], (_key, value: unknown) => {
    if (value instanceof ArrayBuffer) return decoder.decode(value);
    if (ArrayBuffer.isView(value)) return decoder.decode(value);
    if (value instanceof Blob) return `[Blob ${value.size}]`;
    if (typeof value === 'bigint') return value.toString();
    return value;
  });
}

const api = {
  tab: TAB,
  functions: FUNCTIONS.map(({ name }) => name),
  keys: KEYS,
  runChunk,
  tally: () => ({ ...tally }),
  audit: (expect: AuditExpectations = {}) => audit([idbMemo.config.cachePath, 'chaos-big'], FUNCTIONS, expect),
  /** This tab's per-session id (kept by the library in sessionStorage), if it has one. */
  session: () => sessionStorage.getItem('idb-memo:session'),
  stats: () => memos.map((memo) => memo.stats()),
  databaseNames,
  countEntries,
  crashPath: CRASH_PATH,
  crashBurst,
  crashReadBack,
  probe,
  touchPath,
  hasCachedFetch: () => typeof fetchApi.cachedFetch === 'function',
  fetchAs,
  rawText,
  clearCaches: () => idbMemo.clearCaches(),
  cachePathsKey: () => localStorage.getItem('idb-memo:cache-paths'),
  storedKeys,
};

declare global {
  interface Window {
    chaos: typeof api;
  }
}

window.chaos = api;
(window as unknown as { ready: boolean }).ready = true;
