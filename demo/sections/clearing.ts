import { clearCaches, inspectCaches } from '../../src/index.ts';
import { button, h, replace } from '../dom.ts';
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
      ' (Panel’s ',
      c('pn.state.clear_caches()'),
      ') forgets every cache the library made. These are the memoized functions of the sections above, each listed once it exists:',
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
        h('th', { class: 'num hide-narrow' }, 'memory hits'),
        h('th', { class: 'num hide-narrow' }, 'disk hits'),
        h('th', { class: 'num' }, 'misses'),
        h('th', { class: 'num' }, h('span', { class: 'visually-hidden' }, 'clear')),
      ),
    ),
    rows,
  );

  function render(): void {
    replace(
      rows,
      ...trackedCaches().map(({ label, fn }) => {
        const stats = fn.stats();
        const clear = button('clear()', async () => {
          await fn.clear();
          notifyStatsChanged();
        }, { class: 'btn btn-small' });
        return h(
          'tr',
          {},
          h('td', { class: 'fn-cell' }, h('code', {}, label)),
          h('td', { class: 'num' }, stats.size),
          h('td', { class: 'num hide-narrow' }, stats.memoryHits),
          h('td', { class: 'num hide-narrow' }, stats.diskHits),
          h('td', { class: 'num' }, stats.misses),
          h('td', { class: 'num' }, clear),
        );
      }),
    );
  }

  const storage = h('p', { class: 'inspector-note', 'data-testid': 'storage-use' });
  /** The origin's storage use, as inspectCaches() reports it (navigator.storage.estimate()). */
  async function renderStorage(): Promise<void> {
    const { storage: use, caches } = await inspectCaches();
    const entries = caches.reduce((sum, view) => sum + view.entries.length, 0);
    replace(
      storage,
      c('await inspectCaches()'),
      ` · ${caches.length} caches, ${entries} entries · origin storage: `,
      use?.usage === undefined ? 'not reported by this browser' : `${formatBytes(use.usage)} used${use.quota === undefined ? '' : ` of ${formatBytes(use.quota)}`}`,
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
    table,
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
