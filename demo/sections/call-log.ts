import { formatTime, h } from '../dom.ts';
import { sourceBadge, type Source } from '../provenance.ts';

/** A short, newest-first list of calls and where their answers came from. */
export interface CallLog {
  readonly element: HTMLOListElement;
  /** Adds a line: what was called, the answer's source and time, and a note. */
  add(what: string, source: Source, ms: number, note?: string): void;
  /** Adds a line without a source, e.g. for a clear(). */
  note(text: string): void;
}

/** Creates a {@link CallLog} that keeps the last `limit` lines. */
export function callLog(limit = 6): CallLog {
  const element = h('ol', { class: 'call-log', 'aria-label': 'Recent calls', 'aria-live': 'polite' });
  const push = (item: HTMLLIElement) => {
    element.prepend(item);
    while (element.children.length > limit) element.lastElementChild?.remove();
  };
  return {
    element,
    add(what, source, ms, note) {
      push(
        h(
          'li',
          {},
          h('time', {}, formatTime(Date.now())),
          h('span', { class: 'call-what' }, what),
          sourceBadge(source, ms),
          note ? h('span', { class: 'call-note' }, note) : null,
        ),
      );
    },
    note(text) {
      push(h('li', { class: 'call-log-note' }, h('time', {}, formatTime(Date.now())), h('span', { class: 'call-what' }, text)));
    },
  };
}
