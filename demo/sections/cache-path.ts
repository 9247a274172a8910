import { cache, config, configure } from '../../src/index.ts';
import { button, formatTime, h, messageOf, replace } from '../dom.ts';
import { c, section } from '../layout.ts';
import { notifyStatsChanged, onStatsChanged, sourceBadge, track, traced, type Traced } from '../provenance.ts';
import type { DemoSection } from './types.ts';

const SAMPLE = `
// 1. Inline, for one function
cache(fn, {
  toDisk: true, name: 'fn', cachePath: 'cache1',
});

// 2. Global, like Panel's app-wide setup
// call, pn.extension(cache_path='./cache2')
configure({ cachePath: 'cache2' });

// 3. Direct, like Panel's settings object:
// pn.config.cache_path = './cache3'
config.cachePath = 'cache3';
`;

/** One way of choosing the IndexedDB database. */
interface Way {
  readonly label: string;
  readonly code: string;
  readonly database: string;
  /** Sets the cache path this way (for the global ways), or does nothing (inline). */
  readonly apply: () => void;
  /** The memoized function's options. */
  readonly options: { readonly cachePath?: string };
  /** What the Clearing table should say of this function's row. */
  readonly note?: string;
}

/**
 * Why the rows of the two global ways read size 0 beside a disk hit: `stats().size` counts the
 * results in memory of the database `config.cachePath` names when it is read, and the demo has
 * restored the default by then.
 */
const GLOBAL_WAY_NOTE =
  "size 0 beside a disk hit: the result is in memory, in this way's database; but stats().size counts the database that config.cachePath names when it is read, and the demo restored the default './cache' after the run.";

/** The function each way memoizes: when it really ran. */
const stamp = async (): Promise<number> => Date.now();

const WAYS: readonly Way[] = [
  { label: '1. Inline option', code: "cache(fn, { toDisk: true, name: 'fn', cachePath: 'cache1' })", database: 'cache1', apply: () => {}, options: { cachePath: 'cache1' } },
  { label: '2. configure()', code: "configure({ cachePath: 'cache2' })", database: 'cache2', apply: () => configure({ cachePath: 'cache2' }), options: {}, note: GLOBAL_WAY_NOTE },
  { label: '3. config.cachePath', code: "config.cachePath = 'cache3'", database: 'cache3', apply: () => (config.cachePath = 'cache3'), options: {}, note: GLOBAL_WAY_NOTE },
];

/**
 * Sets the cache path `way`'s way, makes a fresh memoized function and calls it, then restores the
 * previous default so that the rest of the page keeps its own database. The function is new on
 * every run, so its memory is empty: a second run is answered from the way's database.
 */
async function runWay(way: Way): Promise<Traced<number>> {
  const previous = config.cachePath;
  try {
    way.apply();
    const fn = track(`cachePathDemo (${way.database})`, cache(stamp, { toDisk: true, name: 'cachePathDemo', ...way.options }), way.note);
    return await traced(fn);
  } finally {
    config.cachePath = previous;
    // Counters read meanwhile saw the way's database as the default: read them again.
    notifyStatsChanged();
  }
}

/** "Configuring the cache path": the three ways, each writing to its own IndexedDB database. */
export function cachePathSection(): DemoSection {
  const { root, body } = section({
    id: 'cache-path',
    guide: 'Configuring the cache path',
    title: 'Choose the database',
    lead: [
      'In the browser the cache path names an IndexedDB database (default ',
      c("'./cache'"),
      '). Set it per function, or globally in two ways. Run each and the database appears below. ',
      'The demo restores the default afterwards, so the other sections keep theirs.',
    ],
    sample: SAMPLE,
  });

  const current = h('p', { class: 'status' });
  const databases = h('ul', { class: 'chips', 'aria-label': 'IndexedDB databases of this page' });
  const list = h('div', { class: 'ways' });

  async function refresh(): Promise<void> {
    replace(current, c('config.cachePath'), ' is ', c(JSON.stringify(config.cachePath)));
    const names = await databaseNames();
    replace(databases, ...(names.length ? names.map((name) => h('li', { class: 'chip' }, name)) : [h('li', { class: 'chip chip-empty' }, 'none yet')]));
  }

  for (const way of WAYS) {
    const outcome = h('span', { class: 'way-outcome' });
    const run = async () => {
      try {
        const { value, source, ms } = await runWay(way);
        replace(outcome, sourceBadge(source, ms), ` in ${way.database}: computed at ${formatTime(value)}`);
      } catch (error) {
        replace(outcome, `failed: ${messageOf(error)}`);
      }
      await refresh();
    };
    list.append(h('div', { class: 'way' }, h('div', { class: 'way-head' }, h('strong', {}, way.label), button('Run', run)), c(way.code), outcome));
  }

  // Writes to IndexedDB land shortly after a call: look again a moment after any call of the page.
  let pending: ReturnType<typeof setTimeout> | undefined;
  onStatsChanged(() => {
    clearTimeout(pending);
    pending = setTimeout(() => void refresh(), 400);
  });

  body.append(list, current, h('h3', { class: 'subhead' }, 'Databases on this origin'), databases);
  return { root, start: refresh };
}

async function databaseNames(): Promise<string[]> {
  if (typeof indexedDB.databases !== 'function') return [];
  const infos = await indexedDB.databases();
  return infos.map((info) => info.name ?? '').filter((name) => name !== '').sort();
}
