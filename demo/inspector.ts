import type { InspectedCache, InspectedEntry } from '../src/index.ts';
import { h } from './dom.ts';

/** Bytes, readable: `820 B`, `14.2 KB`, `3.10 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} KB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(2)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}

/** A duration, readable: `0.4 s`, `12 s`, `3 min`, `2 h`. */
export function formatAge(ms: number): string {
  if (ms < 10_000) return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3_600_000)} h`;
}

const WHERE: Record<InspectedEntry['where'], string> = { memory: 'memory', disk: 'disk', both: 'memory + disk' };

/** The options of `view` in one line: `maxItems 3 · LRU · ttl 5 s · IndexedDB "./cache"`. */
export function describeCache(view: InspectedCache): string {
  const parts = [Number.isFinite(view.maxItems) ? `maxItems ${view.maxItems} · ${view.policy}` : 'unbounded'];
  if (Number.isFinite(view.ttlSeconds)) parts.push(`ttl ${view.ttlSeconds} s`);
  if (view.database !== undefined) parts.push(`IndexedDB "${view.database}"`);
  return parts.join(' · ');
}

/**
 * The entries of `view` in the order the inspector gives (eviction order for a bounded cache),
 * the next victim marked; `gone` are labels evicted since the previous view, shown struck through.
 */
export function entryList(view: InspectedCache, gone: readonly string[] = [], testid = 'inspector-entries'): HTMLOListElement {
  const list = h('ol', { class: 'entry-list', 'data-testid': testid, 'aria-label': `Entries of ${view.name}` });
  for (const label of gone) {
    list.append(h('li', { class: 'entry entry-gone', 'data-label': label }, h('s', { class: 'entry-label' }, label), h('span', { class: 'entry-tag tag-gone' }, 'evicted')));
  }
  for (const entry of view.entries) {
    list.append(
      h(
        'li',
        { class: `entry${entry.evictsNext ? ' entry-next' : ''}`, 'data-label': entry.label, 'data-where': entry.where, 'data-hits': entry.hits },
        h('code', { class: 'entry-label' }, entry.label),
        entry.evictsNext ? h('span', { class: 'entry-tag tag-next' }, 'next out') : null,
        h(
          'span',
          { class: 'entry-facts' },
          `${WHERE[entry.where]} · ${entry.hits} ${entry.hits === 1 ? 'hit' : 'hits'} · age ${formatAge(entry.ageMs)}`,
          Number.isFinite(entry.expiresInMs) ? ` · expires in ${formatAge(entry.expiresInMs)}` : '',
          ` · ~${formatBytes(entry.approxBytes)}`,
        ),
      ),
    );
  }
  if (view.entries.length === 0 && gone.length === 0) list.append(h('li', { class: 'entry entry-empty' }, 'empty'));
  return list;
}

/** Labels in `before` that are no longer in `after`: what went since the previous look. */
export function goneSince(before: InspectedCache | undefined, after: InspectedCache): string[] {
  if (!before) return [];
  const now = new Set(after.entries.map((entry) => entry.label));
  return before.entries.map((entry) => entry.label).filter((label) => !now.has(label));
}
