import { clearCaches } from '../../src/index.ts';
import { button, h, replace } from '../dom.ts';
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
      ') forgets every cache the library made. These are all the memoized functions of this page:',
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
      h('tr', {}, h('th', {}, 'function'), h('th', { class: 'num' }, 'size'), h('th', { class: 'num' }, 'memory'), h('th', { class: 'num' }, 'disk'), h('th', { class: 'num' }, 'misses'), h('th', {}, '')),
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
          h('td', {}, h('code', {}, label)),
          h('td', { class: 'num' }, stats.size),
          h('td', { class: 'num' }, stats.memoryHits),
          h('td', { class: 'num' }, stats.diskHits),
          h('td', { class: 'num' }, stats.misses),
          h('td', { class: 'num' }, clear),
        );
      }),
    );
  }

  let scheduled = false;
  onStatsChanged(() => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      render();
    });
  });
  render();

  body.append(
    h('div', { class: 'scroll-x' }, table),
    h(
      'div',
      { class: 'button-row' },
      button('clearCaches()', async () => {
        await clearCaches();
        notifyStatsChanged();
      }, { class: 'btn btn-danger' }),
    ),
  );
  return { root };
}
