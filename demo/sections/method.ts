import { copyInsteadOf, DATASETS, datasetName, describeLoadError } from '../datasets.ts';
import { field, h, replace, select } from '../dom.ts';
import { DataExplorer } from '../explorer.ts';
import { c, notice, section, setNotice } from '../layout.ts';
import { asTracked, copyBadge, onStatsChanged, sourceBadge, statsList, track, traced } from '../provenance.ts';
import { DataTable } from '../table.ts';
import type { DemoSection } from './types.ts';

const SAMPLE = `
class DataExplorer {
  dataset = DATASETS.Penguins;

  @cache
  async fetchData() {
    return loadDataset(this.dataset);
  }
}

const explorer = new DataExplorer();
select.addEventListener('change', async () => {
  explorer.dataset = select.value; // part of the key
  table.setData(await explorer.fetchData());
});
`;

/** "Caching methods with dependencies": a `DataExplorer` class whose `fetchData` method is `@cache`d. */
export function methodSection(): DemoSection {
  const { root, body } = section({
    id: 'methods',
    guide: 'Caching methods with dependencies',
    title: 'A class with a cached method',
    lead: [
      c('@cache'),
      ' is a standard decorator. The instance is part of the key (its own data, here ',
      c('{ dataset }'),
      '), so setting ',
      c('explorer.dataset'),
      ' picks another cached answer.',
    ],
    sample: SAMPLE,
    wide: true,
  });

  const explorer = new DataExplorer();
  const method = track('DataExplorer#fetchData', asTracked(explorer.fetchData));

  const picker = select(DATASETS, explorer.dataset, { 'aria-label': 'Explorer dataset', 'data-testid': 'explorer-select' });
  const status = h('p', { class: 'status' });
  const message = notice('warn');
  const tableElement = h('div', { class: 'table-host' });
  const stats = h('div', { class: 'stats-host', 'data-testid': 'method-stats' });
  const table = new DataTable(tableElement);

  async function update(): Promise<void> {
    explorer.dataset = picker.value;
    const name = datasetName(explorer.dataset);
    setNotice(message, '');
    try {
      const { value, source, ms } = await traced(method);
      if (datasetName(explorer.dataset) !== name) return;
      tableElement.hidden = false;
      await table.show(value);
      replace(status, c('explorer.fetchData()'), ` · ${name} · `, sourceBadge(source, ms));
    } catch (error) {
      const copy = await copyInsteadOf(error, explorer.dataset);
      if (datasetName(explorer.dataset) !== name) return;
      setNotice(message, describeLoadError(error, copy !== undefined));
      if (copy) {
        tableElement.hidden = false;
        await table.show(copy);
        replace(status, c('explorer.fetchData()'), ` · ${name} · `, copyBadge());
      } else {
        table.clear();
        tableElement.hidden = true;
        replace(status, c('explorer.fetchData()'), ` · ${name} · not available`);
      }
    }
  }
  const renderStats = () => replace(stats, statsList(method.stats()));
  onStatsChanged(renderStats);
  renderStats();

  picker.addEventListener('change', () => void update());
  body.append(field('explorer.dataset', picker), status, message, tableElement, h('h3', { class: 'subhead' }, c('explorer.fetchData.stats()')), stats);
  return { root, start: update };
}
