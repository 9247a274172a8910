import { clearCaches, inspectCaches } from '../../src/index.ts';
import { button, h, replace, scrollArea } from '../dom.ts';
import { formatBytes } from '../inspector.ts';
import { c, section } from '../layout.ts';
import { notifyStatsChanged, onStatsChanged, trackedCaches } from '../provenance.ts';
import type { DemoSection } from './types.ts';

const SAMPLE = `
await loadDataset.clear();     // one function, memory and disk
await loadDataset.delete(url); // one result
await clearCaches();           // every cache the library made
`;

/** "Clearing the cache": every memoized function of this page with its counters, `clear()` each, or `clearCaches()`. */
export function clearingSection(): DemoSection {
  const { root, body } = section({
    id: 'clearing',
    guide: 'Clearing the cache',
    title: 'Clear one function, or everything',
    lead: [
      c('fn.clear()'),
      ' forgets one function’s results, in memory and in IndexedDB; ',
      c('clearCaches()'),
      ' forgets every cache the library made, and resets every function’s counters (Panel, the Python library whose caching ',
      'guide this page follows, calls it ',
      c('pn.state.clear_caches()'),
      ': ',
      c('pn.state'),
      ' is its app-wide state). These are the memoized functions of the sections above, each listed once it exists:',
    ],
    sample: SAMPLE,
    wide: true,
  });

  const rows = h('tbody');
  const table = h(
    'table',
    { class: 'mini-table inspector', 'data-testid': 'inspector' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, 'function'),
        h('th', { class: 'num' }, 'size'),
        h('th', { class: 'num' }, 'memory hits'),
        h('th', { class: 'num' }, 'disk hits'),
        h('th', { class: 'num' }, 'misses'),
      ),
    ),
    rows,
  );

  const notes = h('ul', { class: 'table-notes', 'data-testid': 'inspector-notes' });

  function render(): void {
    const noted = trackedCaches().filter((known) => known.note !== undefined);
    replace(notes, ...noted.map(({ label, note }) => h('li', {}, h('span', { class: 'note-mark' }, '*'), ' ', h('code', {}, label), ': ', note!)));
    replace(
      rows,
      ...trackedCaches().map(({ label, fn, note }) => {
        const stats = fn.stats();
        const clear = button('clear()', async () => {
          await fn.clear();
          notifyStatsChanged();
        }, { class: 'btn btn-small' });
        return h(
          'tr',
          {},
          // The button sits by the name: in reach on a phone, where the counters scroll sideways.
          h(
            'td',
            { class: 'fn-cell' },
            h('code', {}, label),
            note === undefined ? null : h('span', { class: 'note-mark', title: note }, '*'),
            ' ',
            clear,
          ),
          h('td', { class: 'num' }, stats.size),
          h('td', { class: 'num' }, stats.memoryHits),
          h('td', { class: 'num' }, stats.diskHits),
          h('td', { class: 'num' }, stats.misses),
        );
      }),
    );
  }

  const storage = h('p', { class: 'inspector-note', 'data-testid': 'storage-use' });
  /**
   * The table's totals (so that they always match it) and the origin's storage use, as
   * inspectCaches() reports it (navigator.storage.estimate()).
   */
  async function renderStorage(): Promise<void> {
    const { storage: use } = await inspectCaches();
    const shown = trackedCaches();
    const inMemory = shown.reduce((sum, { fn }) => sum + fn.stats().size, 0);
    replace(
      storage,
      `${shown.length} ${shown.length === 1 ? 'function' : 'functions'}, ${inMemory} ${inMemory === 1 ? 'result' : 'results'} in memory (the size column) · origin storage: `,
      use?.usage === undefined ? 'not reported by this browser' : `${formatBytes(use.usage)} used${use.quota === undefined ? '' : ` of ${formatBytes(use.quota)}`}`,
      ' (',
      c('(await inspectCaches()).storage'),
      ')',
    );
  }

  let scheduled = false;
  let storageTimer: ReturnType<typeof setTimeout> | undefined;
  onStatsChanged(() => {
    clearTimeout(storageTimer);
    storageTimer = setTimeout(() => void renderStorage(), 500);
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      render();
    });
  });
  render();

  body.append(
    scrollArea(table, { 'aria-label': 'Memoized functions of this page' }).frame,
    notes,
    storage,
    h(
      'div',
      { class: 'button-row' },
      button('clearCaches()', async () => {
        await clearCaches();
        notifyStatsChanged();
      }, { class: 'btn btn-danger' }),
    ),
  );
  return { root, start: renderStorage };
}
