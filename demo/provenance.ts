import type { CacheStats } from '../src/index.ts';
import { formatMs, h } from './dom.ts';

/** Where a memoized call's answer came from. */
export type Source = 'computed' | 'memory' | 'disk';

/** What the demo needs of a memoized function: calling it and reading its counters. */
export interface Tracked<A extends unknown[], R> {
  (...args: A): Promise<R>;
  stats(): CacheStats;
  clear(): Promise<void>;
}

/** A memoized call's result, with where it came from and how long it took. */
export interface Traced<R> {
  readonly value: R;
  readonly source: Source;
  /** Wall-clock milliseconds from the call to the answer. */
  readonly ms: number;
}

/**
 * Calls `fn` and tells where the answer came from by comparing `stats()` before and after:
 * `diskHits` +1 → disk, `memoryHits` +1 → memory, otherwise (`misses` +1) → computed.
 */
export async function traced<A extends unknown[], R>(fn: Tracked<A, R>, ...args: A): Promise<Traced<R>> {
  const before = fn.stats();
  const start = performance.now();
  try {
    const value = await fn(...args);
    const ms = performance.now() - start;
    const after = fn.stats();
    const source: Source =
      after.diskHits > before.diskHits ? 'disk' : after.memoryHits > before.memoryHits ? 'memory' : 'computed';
    return { value, source, ms };
  } finally {
    // A failed call counts too (a miss): every view of the counters is told, so none goes stale.
    notifyStatsChanged();
  }
}

/**
 * `fn` as a memoized function, for `@cache` methods: they are memoized at run time though their
 * type does not say so. Throws if `fn` is not one.
 */
export function asTracked<A extends unknown[], R>(fn: (...args: A) => Promise<R>): Tracked<A, R> {
  const candidate = fn as Partial<Tracked<A, R>> & ((...args: A) => Promise<R>);
  if (typeof candidate.stats !== 'function' || typeof candidate.clear !== 'function') {
    throw new TypeError(`${fn.name || 'this function'} is not memoized: decorate it with @cache`);
  }
  return candidate as Tracked<A, R>;
}

const SOURCE_LABELS: Record<Source, string> = { computed: 'computed', memory: 'from memory', disk: 'from disk' };

/** A coloured badge saying where an answer came from, and how long it took. */
export function sourceBadge(source: Source, ms: number): HTMLSpanElement {
  return h(
    'span',
    { class: `badge badge-${source}`, 'data-source': source, title: `answered ${SOURCE_LABELS[source]} in ${formatMs(ms)}` },
    SOURCE_LABELS[source],
    h('span', { class: 'badge-ms' }, formatMs(ms)),
  );
}

/** The badge of data that is the demo's own small copy, shown while the data host cannot be reached (not memoized). */
export function copyBadge(): HTMLSpanElement {
  return h('span', { class: 'badge badge-copy', 'data-source': 'copy', title: 'the first rows of the dataset, which come with the demo; not cached' }, 'local copy');
}

/** A compact line of a function's counters. */
export function statsList(stats: CacheStats): HTMLDListElement {
  const list = h('dl', { class: 'stats' });
  const entries: [keyof CacheStats, string][] = [
    ['hits', 'hits'],
    ['memoryHits', 'memory'],
    ['diskHits', 'disk'],
    ['misses', 'misses'],
    ['evictions', 'evictions'],
    ['size', 'size'],
  ];
  for (const [key, label] of entries) {
    list.append(h('div', { 'data-stat': key }, h('dt', {}, label), h('dd', {}, stats[key])));
  }
  return list;
}

/** A memoized function of the demo, named for the cache inspector. */
export interface DemoCache {
  readonly label: string;
  readonly fn: Pick<Tracked<never[], unknown>, 'stats' | 'clear'>;
  /** What the Clearing table should say of this function's row, under the table. */
  readonly note?: string;
}

const demoCaches: DemoCache[] = [];
const statsEvents = new EventTarget();

/**
 * Lists `fn` in the Clearing section under `label` (in place of an earlier function of that
 * label), with a `note` on its row if given; returns `fn`.
 */
export function track<T extends DemoCache['fn']>(label: string, fn: T, note?: string): T {
  const at = demoCaches.findIndex((known) => known.label === label);
  const entry: DemoCache = note === undefined ? { label, fn } : { label, fn, note };
  if (at === -1) demoCaches.push(entry);
  else demoCaches[at] = entry;
  notifyStatsChanged();
  return fn;
}

/** Every memoized function listed with {@link track}, in order. */
export function trackedCaches(): readonly DemoCache[] {
  return demoCaches;
}

/** Tells every {@link onStatsChanged} listener that some counters may have changed. */
export function notifyStatsChanged(): void {
  statsEvents.dispatchEvent(new Event('change'));
}

/** Runs `listener` whenever {@link notifyStatsChanged} is called. */
export function onStatsChanged(listener: () => void): void {
  statsEvents.addEventListener('change', listener);
}
