import { clearCaches } from '../../src/index.ts';
import { copyInsteadOf, DATASETS, datasetName, describeLoadError, isDatasetName, loadDataset, type DatasetName } from '../datasets.ts';
import { button, field, h, replace, select } from '../dom.ts';
import { c, notice, section, setNotice } from '../layout.ts';
import { copyBadge, notifyStatsChanged, onStatsChanged, sourceBadge, statsList, traced } from '../provenance.ts';
import { DataTable } from '../table.ts';
import type { DemoSection } from './types.ts';

const SAMPLE = `
import { cache, clearCaches } from 'idb-memo';

const DATASETS = {
  Penguins: 'https://raw.githubusercontent.com/mwaskom/seaborn-data/master/penguins.csv',
  Diamonds: '…/diamonds.csv', Titanic: '…/titanic.csv', MPG: '…/mpg.csv',
};

async function fetchData(url: string) {
  return csvParse(await (await fetch(url)).text(), autoType);
}
const loadDataset = cache(fetchData, { toDisk: true, name: 'loadDataset' });

select.addEventListener('change', async () => {
  table.setData(await loadDataset(select.value)); // 10 rows a page
});

loadDataset.stats(); // { hits, memoryHits, diskHits, misses, … }
await loadDataset.clear(); // this function's results
await clearCaches();       // every cache, memory and IndexedDB
`;

const STORAGE_KEY = 'idb-memo-demo:dataset';

/**
 * The guide's main example: a dataset selector, the cached loader `cache(fetchData, { toDisk: true, name })`,
 * and a paginated Tabulator table, with where each answer came from and the loader's counters.
 */
export function loadDataSection(): DemoSection {
  const { root, body } = section({
    id: 'caching-functions',
    guide: 'Caching functions',
    title: 'Load a dataset once, then instantly',
    lead: [
      'Pick a dataset. The first load fetches and parses the CSV; after that it comes from memory, and after a reload ',
      '(or offline) from IndexedDB. ',
      c('toDisk: true'),
      ' and a ',
      c('name'),
      ' (what the next page finds the results by) are the only difference from an in-memory cache.',
    ],
    sample: SAMPLE,
    wide: true,
  });

  const initial = readSelection();
  const picker = select(DATASETS, DATASETS[initial], { id: 'dataset-select', 'aria-label': 'Dataset' });
  const status = h('p', { class: 'status', 'data-testid': 'load-status', 'aria-live': 'polite' });
  const message = notice('warn', { 'data-testid': 'load-message', role: 'alert' });
  const tableElement = h('div', { class: 'table-host', 'data-testid': 'dataset-table' });
  const stats = h('div', { class: 'stats-host', 'data-testid': 'load-stats' });
  const table = new DataTable(tableElement);
  let request = 0;

  async function load(): Promise<void> {
    const url = picker.value;
    const name = datasetName(url);
    const id = ++request;
    if (isDatasetName(name)) localStorage.setItem(STORAGE_KEY, name);
    replace(status, h('span', { class: 'spinner', 'aria-hidden': 'true' }), `Loading ${name}…`);
    setNotice(message, '');
    try {
      const { value, source, ms } = await traced(loadDataset, url);
      if (id !== request) return;
      tableElement.hidden = false;
      await table.show(value);
      if (id !== request) return;
      replace(
        status,
        h('strong', {}, name),
        ` · ${value.rows.length.toLocaleString()} rows × ${value.columns.length} columns · `,
        sourceBadge(source, ms),
      );
    } catch (error) {
      const copy = await copyInsteadOf(error, url);
      if (id !== request) return;
      setNotice(message, describeLoadError(error, copy !== undefined));
      if (copy) {
        tableElement.hidden = false;
        await table.show(copy);
        if (id !== request) return;
        replace(status, h('strong', {}, name), ` · first ${copy.rows.length} rows · `, copyBadge());
      } else {
        table.clear();
        tableElement.hidden = true;
        replace(status, h('strong', {}, name), ' · not available');
      }
    }
  }

  picker.addEventListener('change', () => void load());
  const controls = h(
    'div',
    { class: 'controls' },
    field('Dataset', picker),
    h(
      'div',
      { class: 'button-row' },
      button('Load again', load, { 'data-testid': 'load-again' }),
      button('loadDataset.clear()', async () => {
        await loadDataset.clear();
        notifyStatsChanged();
      }, { 'data-testid': 'load-clear' }),
      button('clearCaches()', async () => {
        await clearCaches();
        notifyStatsChanged();
      }, { class: 'btn btn-danger', 'data-testid': 'clear-caches' }),
    ),
  );
  body.append(
    controls,
    status,
    message,
    tableElement,
    h('h3', { class: 'subhead' }, c('loadDataset.stats()')),
    stats,
    h('p', { class: 'hint' }, 'The next two sections call ', c('loadDataset'), ' too: their calls count here as well.'),
  );

  const renderStats = () => replace(stats, statsList(loadDataset.stats()));
  onStatsChanged(renderStats);
  renderStats();
  return { root, start: load };
}

function readSelection(): DatasetName {
  const stored = localStorage.getItem(STORAGE_KEY);
  return isDatasetName(stored) ? stored : 'Penguins';
}
