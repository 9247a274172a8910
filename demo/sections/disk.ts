import { cache, flushCaches, inspect } from '../../src/index.ts';
import { button, field, formatTime, h, replace } from '../dom.ts';
import { entryList } from '../inspector.ts';
import { c, section } from '../layout.ts';
import { notifyStatsChanged, onStatsChanged, sourceBadge, track, traced, type Traced } from '../provenance.ts';
import type { DemoSection } from './types.ts';

const SAMPLE = `
const expensiveComputation = cache(
  async (n: number) => {
    await sleep(2000); // an expensive operation
    return { n, computedAt: Date.now() };
  },
  { toDisk: true, name: 'expensiveComputation' },
);

// The first call takes 2 s…
const result1 = await expensiveComputation(5);
// …the next ones are instant, even after a reload
const result2 = await expensiveComputation(5);
`;

/** How long the simulated expensive operation takes. */
export const EXPENSIVE_MS = 2000;

/** What the expensive computation returns: its argument and when it really ran. */
export interface Computed {
  readonly n: number;
  readonly computedAt: number;
}

/** The guide's `expensive_computation(n)`: sleeps 2 s, returns when it ran; persisted in IndexedDB. */
const expensiveComputation = track(
  'expensiveComputation',
  cache(
    async (n: number): Promise<Computed> => {
      await new Promise((resolve) => setTimeout(resolve, EXPENSIVE_MS));
      return { n, computedAt: Date.now() };
    },
    { toDisk: true, name: 'expensiveComputation' },
  ),
);

/** "Disk caching": a slow computation that takes 2 s once, and is instant afterwards, even after a reload. */
export function diskSection(): DemoSection {
  const { root, body } = section({
    id: 'disk',
    guide: 'Disk caching',
    title: 'Survive a reload',
    lead: [
      'With ',
      c('toDisk: true'),
      ' results are kept in IndexedDB, the browser’s disk, under the function’s ',
      c('name'),
      ' (required with ',
      c('toDisk'),
      ': it is how the next page finds them). The first call below sleeps 2 s; reload the page and it answers at once, ',
      'with the same timestamp.',
    ],
    sample: SAMPLE,
  });

  const input = h('input', { type: 'number', min: 0, max: 99, step: 1, value: 5, inputmode: 'numeric', 'data-testid': 'disk-n' });
  const results = h('div', { class: 'result-grid', 'data-testid': 'disk-results' });
  const onDisk = h('div', { class: 'inspector-panel', 'data-testid': 'disk-inspector' });

  /** What IndexedDB holds for the function, once the writes of the calls so far have landed: what a reload finds. */
  async function renderDisk(): Promise<void> {
    await flushCaches();
    const view = await inspect(expensiveComputation);
    replace(onDisk, entryList({ ...view, entries: view.entries.filter((entry) => entry.where !== 'memory') }, [], 'disk-entries'));
  }

  // Any call or clearing on the page (this function's clear() in the Clearing section, clearCaches())
  // may change what is on disk: look again, once per burst of changes.
  let scheduled = false;
  onStatsChanged(() => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      void renderDisk();
    });
  });

  async function run(): Promise<void> {
    const n = Math.max(0, Math.min(99, Math.trunc(Number(input.value) || 0)));
    input.value = String(n);
    replace(results, h('p', { class: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), `expensiveComputation(${n})…`));
    const result1 = await traced(expensiveComputation, n);
    const result2 = await traced(expensiveComputation, n);
    replace(results, resultCard('result1', result1), resultCard('result2', result2));
    await renderDisk();
  }

  async function forget(): Promise<void> {
    const n = Math.trunc(Number(input.value) || 0);
    await expensiveComputation.delete(n);
    notifyStatsChanged();
    replace(results, h('p', { class: 'status' }, c(`expensiveComputation.delete(${n})`), ' done: the next run takes 2 s again.'));
    await renderDisk();
  }

  body.append(
    h('div', { class: 'controls' }, field('n', input), h('div', { class: 'button-row' }, button('Run', run), button('Forget this n', forget))),
    results,
    h('h3', { class: 'subhead' }, 'On disk: what a reload finds'),
    h(
      'p',
      { class: 'inspector-note' },
      c('await inspect(expensiveComputation)'),
      ' · entries in IndexedDB. Arguments are never stored: after a reload, an entry this page has not called yet shows its hashed key.',
    ),
    onDisk,
  );
  return { root, start: run };
}

function resultCard(name: string, result: Traced<Computed>): HTMLElement {
  return h(
    'div',
    { class: 'result', 'data-testid': name },
    h('div', { class: 'result-head' }, c(name), sourceBadge(result.source, result.ms)),
    h('p', { class: 'result-value' }, formatTime(result.value.computedAt)),
    h('p', { class: 'result-note' }, `when it ran, for n = ${result.value.n}`),
  );
}
