import { cache, inspect, type InspectedCache, type Memoized, type Policy } from '../../src/index.ts';
import { button, field, formatTime, h, replace, select } from '../dom.ts';
import { entryList, describeCache, goneSince } from '../inspector.ts';
import { c, section } from '../layout.ts';
import { notifyStatsChanged, statsList, track, traced } from '../provenance.ts';
import { callLog } from './call-log.ts';
import type { DemoSection } from './types.ts';

const SAMPLE = `
const shout = cache(
  async (word: string) => word.toUpperCase(),
  { maxItems: 3, policy: 'LRU' }, // or 'LFU', 'FIFO'
);

// each result is valid for 5 seconds
const clock = cache(() => Date.now(), { ttl: 5 });
`;

const WORDS = ['apple', 'banana', 'cherry', 'date', 'elder'] as const;
const MAX_ITEMS = 3;
const TTL_SECONDS = 5;

/** The `maxItems: 3` cache of `policy`, made once (and listed in the Clearing section). */
type Shout = Memoized<(word: string) => Promise<string>>;
const shouts = new Map<Policy, Shout>();
function shoutOf(policy: Policy): Shout {
  let shout = shouts.get(policy);
  if (!shout) shouts.set(policy, (shout = track(`shout (${policy})`, makeShout(policy))));
  return shout;
}

function makeShout(policy: Policy): Shout {
  return cache(
    async (word: string) => {
      await new Promise((resolve) => setTimeout(resolve, 150)); // a little work, so a miss is visible
      return word.toUpperCase();
    },
    { maxItems: MAX_ITEMS, policy, name: `shout-${policy}` },
  );
}

const clock = track(`clock (ttl ${TTL_SECONDS} s)`, cache(() => Date.now(), { ttl: TTL_SECONDS, name: 'clock' }));

/** Policies and TTL in action: a 3-item cache that visibly evicts, and a value that expires after 5 s. */
export function policySection(): DemoSection {
  const { root, body } = section({
    id: 'policies',
    guide: 'Policies and time-to-live',
    title: 'Evict by policy, expire by time',
    lead: [
      'When ',
      c('maxItems'),
      ' is reached, the policy picks what goes: the least recently used (LRU), least frequently used (LFU), or the oldest (FIFO). ',
      c('ttl'),
      ' makes results expire after some seconds.',
    ],
    sample: SAMPLE,
  });

  // maxItems and policy
  let shout = shoutOf('LRU');
  const policies = { LRU: 'LRU', LFU: 'LFU', FIFO: 'FIFO' } as const satisfies Record<Policy, Policy>;
  const policyPicker = select(policies, 'LRU', { 'aria-label': 'Policy' });
  const log = callLog(5);
  const stats = h('div', { class: 'stats-host' });
  const renderStats = () => replace(stats, statsList(shout.stats()));
  // A look inside with inspect(): the entries in eviction order, the next victim marked, and
  // what the last call evicted struck through.
  const inside = h('div', { class: 'inspector-panel', 'data-testid': 'policy-inspector' });
  const insideNote = h('p', { class: 'inspector-note' });
  /** The last look inside each policy's cache: what a call evicted is what is no longer there. */
  const lastViews = new Map<Policy, InspectedCache>();
  const renderInside = async (gone: readonly string[] = []) => {
    const view = await inspect(shout);
    lastViews.set(view.policy, view);
    replace(insideNote, c(`await inspect(shout)`), ` · ${describeCache(view)} · first in the list goes first`);
    replace(inside, entryList(view, gone, 'policy-entries'));
    return view;
  };
  policyPicker.addEventListener('change', () => {
    shout = shoutOf(policyPicker.value as Policy);
    log.note(`cache of policy '${policyPicker.value}': maxItems ${MAX_ITEMS}`);
    renderStats();
    void renderInside();
  });
  const words = h('div', { class: 'button-row' });
  for (const word of WORDS) {
    words.append(
      button(word, async () => {
        const before = lastViews.get(policyPicker.value as Policy);
        const { value, source, ms } = await traced(shout, word);
        const view = await inspect(shout);
        const gone = goneSince(before, view);
        log.add(`shout('${word}') → ${value}`, source, ms, gone.length > 0 ? `full: evicted ${gone.join(', ')}` : undefined);
        renderStats();
        await renderInside(gone);
      }, { class: 'btn btn-small' }),
    );
  }
  renderStats();
  void renderInside();

  // ttl
  const clockOut = h('div', { class: 'result' });
  let computedAt: number | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  const renderClock = (text: string, remaining: number) => {
    const share = Math.max(0, Math.min(1, remaining / (TTL_SECONDS * 1000)));
    replace(
      clockOut,
      h('div', { class: 'result-head' }, c('clock()'), h('span', { class: 'result-note' }, text)),
      h('div', { class: 'meter', role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': TTL_SECONDS, 'aria-valuenow': (remaining / 1000).toFixed(1), 'aria-label': 'time to live left' }, h('span', { style: `width:${(share * 100).toFixed(1)}%` })),
    );
  };
  const tick = () => {
    if (computedAt === undefined) return;
    const remaining = computedAt + TTL_SECONDS * 1000 - Date.now();
    if (remaining <= 0) {
      renderClock('expired: the next call computes again', 0);
      clearInterval(timer);
      timer = undefined;
    } else {
      renderClock(`value ${formatTime(computedAt)} · expires in ${(remaining / 1000).toFixed(1)} s`, remaining);
    }
  };
  const callClock = async () => {
    const { value, source, ms } = await traced(clock);
    if (source === 'computed') computedAt = value;
    clockLog.add(`clock() → ${formatTime(value)}`, source, ms);
    tick();
    timer ??= setInterval(tick, 100);
  };
  const clockLog = callLog(3);
  renderClock('not called yet', 0);

  body.append(
    h('h3', { class: 'subhead' }, `maxItems: ${MAX_ITEMS}`),
    field('policy', policyPicker),
    words,
    h('h3', { class: 'subhead' }, 'Inside the cache'),
    insideNote,
    inside,
    log.element,
    h('h3', { class: 'subhead' }, c('shout.stats()')),
    stats,
    h('h3', { class: 'subhead' }, `ttl: ${TTL_SECONDS} s`),
    clockOut,
    h('div', { class: 'button-row' }, button('Call clock()', callClock)),
    clockLog.element,
  );
  notifyStatsChanged();
  return { root };
}
