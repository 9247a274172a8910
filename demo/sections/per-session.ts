import { cache } from '../../src/index.ts';
import { button, formatTime, h, replace } from '../dom.ts';
import { c, section } from '../layout.ts';
import { sourceBadge, track, traced, type Traced } from '../provenance.ts';
import type { DemoSection } from './types.ts';

const SAMPLE = `
const visitor = () =>
  ({ token: randomToken(), at: Date.now() });

// the same token in every tab:
const shared = cache(visitor,
  { toDisk: true, name: 'sharedVisit' });
// one token per tab, kept across its reloads:
const mine = cache(visitor, {
  toDisk: true, perSession: true,
  name: 'sessionVisit',
});
`;

/** A value that is different every time it is really computed. */
export interface Visit {
  readonly token: string;
  readonly at: number;
}

function visitor(): Visit {
  const bytes = crypto.getRandomValues(new Uint8Array(3));
  return { token: [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(''), at: Date.now() };
}

const shared = track('sharedVisit', cache(visitor, { toDisk: true, name: 'sharedVisit' }));
const perSession = track('sessionVisit (perSession)', cache(visitor, { toDisk: true, perSession: true, name: 'sessionVisit' }));

/** "Per-session caching": a global cache and a session-local one, side by side; a second tab shows the difference. */
export function perSessionSection(): DemoSection {
  const { root, body } = section({
    id: 'per-session',
    guide: 'Per-session caching',
    title: 'Share across tabs, or keep to one',
    lead: [
      'Both functions below make a random token and store it on disk. The global one is shared by every tab; with ',
      c('perSession: true'),
      ' each tab (each session) gets its own, which it keeps across reloads. ',
      h('strong', {}, 'Open this page in a second tab'),
      ' to see the difference.',
    ],
    sample: SAMPLE,
  });

  const cards = h('div', { class: 'result-grid' });

  async function run(): Promise<void> {
    const [global, session] = [await traced(shared), await traced(perSession)];
    replace(cards, visitCard('Global cache', global, 'same in every tab'), visitCard('perSession: true', session, 'this tab only'));
  }

  const open = h('a', { class: 'btn', href: `${location.pathname}#per-session`, target: '_blank', rel: 'noopener' }, 'Open a second tab');
  body.append(cards, h('div', { class: 'button-row' }, open, button('Call again', run)));
  return { root, start: run };
}

function visitCard(title: string, result: Traced<Visit>, hint: string): HTMLElement {
  return h(
    'div',
    { class: 'result' },
    h('div', { class: 'result-head' }, h('strong', {}, title), sourceBadge(result.source, result.ms)),
    h('p', { class: 'result-value token' }, result.value.token),
    h('p', { class: 'result-note' }, `made at ${formatTime(result.value.at)} · ${hint}`),
  );
}
