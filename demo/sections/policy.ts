import { cache, type Policy } from '../../src/index.ts';
import { button, field, formatTime, h, replace, select } from '../dom.ts';
import { c, section } from '../layout.ts';
import { notifyStatsChanged, statsList, track, traced, type Tracked } from '../provenance.ts';
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

/** A fresh `maxItems: 3` cache under `policy`. */
function makeShout(policy: Policy): Tracked<[string], string> {
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
  let shout = makeShout('LRU');
  const policies = { LRU: 'LRU', LFU: 'LFU', FIFO: 'FIFO' } as const satisfies Record<Policy, Policy>;
  const policyPicker = select(policies, 'LRU', { 'aria-label': 'Policy' });
  const log = callLog(5);
  const stats = h('div', { class: 'stats-host' });
  const renderStats = () => replace(stats, statsList(shout.stats()));
  policyPicker.addEventListener('change', () => {
    shout = makeShout(policyPicker.value as Policy);
    log.note(`new cache: maxItems ${MAX_ITEMS}, policy '${policyPicker.value}'`);
    renderStats();
  });
  const words = h('div', { class: 'button-row' });
  for (const word of WORDS) {
    words.append(
      button(word, async () => {
        const evictionsBefore = shout.stats().evictions;
        const { value, source, ms } = await traced(shout, word);
        const evicted = shout.stats().evictions - evictionsBefore;
        log.add(`shout('${word}') → ${value}`, source, ms, evicted > 0 ? `evicted ${evicted}: cache was full` : undefined);
        renderStats();
      }, { class: 'btn btn-small' }),
    );
  }
  renderStats();

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
    log.element,
    stats,
    h('h3', { class: 'subhead' }, `ttl: ${TTL_SECONDS} s`),
    clockOut,
    h('div', { class: 'button-row' }, button('Call clock()', callClock)),
    clockLog.element,
  );
  notifyStatsChanged();
  return { root };
}
