import { cache } from '../../src/index.ts';
import { copyInsteadOf, DATASETS, datasetName, describeLoadError, loadDataset } from '../datasets.ts';
import { field, h, replace, scrollArea, select } from '../dom.ts';
import { c, notice, section, setNotice } from '../layout.ts';
import { copyBadge, sourceBadge, track, traced, type Source } from '../provenance.ts';
import { summarize, type ColumnSummary } from '../summary.ts';
import { callLog } from './call-log.ts';
import type { DemoSection } from './types.ts';

const SAMPLE = `
// Panel's pn.depends(select) re-runs a
// function when the select changes. Here the
// select's value is the argument, so each
// dataset is summarized once, cached on its own.
const describeDataset = cache(async (url: string) =>
  summarize(await loadDataset(url)));

select.addEventListener('change', async () => {
  render(await describeDataset(select.value));
});
`;

/** The summary's memoized function, in memory: a declared dependency is simply an argument. */
const describeDataset = track(
  'describeDataset',
  cache(async (url: string): Promise<ColumnSummary[]> => summarize(await loadDataset(url)), { name: 'describeDataset' }),
);

/** "Caching functions with dependencies": recomputes when the selector changes, cached per value. */
export function dependenciesSection(): DemoSection {
  const { root, body } = section({
    id: 'dependencies',
    guide: 'Caching functions with dependencies',
    title: 'Recompute when the selection changes',
    lead: [
      'Panel (the Python library whose caching guide this page follows) re-runs a function when a widget it ',
      c('depends'),
      ' on changes: ',
      c('pn.depends(select)'),
      ' declares that, much like a React effect’s dependency list. Here the selector’s value is simply the argument: each new ',
      'value computes a summary once, and going back to a value you already chose answers from the cache.',
    ],
    sample: SAMPLE,
  });

  const picker = select(DATASETS, DATASETS.Penguins, { 'aria-label': 'Dataset to summarize', 'data-testid': 'dependency-select' });
  const status = h('p', { class: 'status' });
  const message = notice('warn');
  const { frame: outputFrame, scroller: output } = scrollArea(null, { 'aria-label': 'Summary of the dataset' });
  const log = callLog();

  async function update(): Promise<void> {
    const url = picker.value;
    const name = datasetName(url);
    setNotice(message, '');
    try {
      const { value, source, ms } = await traced(describeDataset, url);
      if (picker.value !== url) return;
      replace(status, h('strong', {}, name), ' · ', sourceBadge(source, ms));
      replace(output, summaryTable(value));
      log.add(name, source, ms, explain(source));
    } catch (error) {
      const copy = await copyInsteadOf(error, url);
      if (picker.value !== url) return;
      setNotice(message, describeLoadError(error, copy !== undefined));
      if (copy) {
        replace(status, h('strong', {}, name), ' · ', copyBadge());
        replace(output, summaryTable(summarize(copy)));
      } else {
        replace(status, h('strong', {}, name), ' · not available');
        replace(output);
      }
    }
  }

  picker.addEventListener('change', () => void update());
  body.append(field('Summarize', picker), status, message, outputFrame, log.element);
  return { root, start: update };
}

function explain(source: Source): string {
  return source === 'computed' ? 'new value: summarized' : 'seen before: not recomputed';
}

function summaryTable(rows: readonly ColumnSummary[]): HTMLTableElement {
  return h(
    'table',
    { class: 'mini-table' },
    h('thead', {}, h('tr', {}, h('th', {}, 'column'), h('th', {}, 'type'), h('th', { class: 'num' }, 'values'), h('th', {}, 'summary'))),
    h(
      'tbody',
      {},
      ...rows.map((row) =>
        h(
          'tr',
          {},
          h('td', {}, h('code', {}, row.column)),
          h('td', {}, row.kind),
          h('td', { class: 'num' }, row.count.toLocaleString()),
          h('td', { class: 'wide' }, row.detail),
        ),
      ),
    ),
  );
}
