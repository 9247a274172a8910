import { code, h, type Child } from './dom.ts';

/** A demo section: its outer element, and the body where the live example goes. */
export interface Section {
  readonly root: HTMLElement;
  readonly body: HTMLDivElement;
}

/** What a section is about: the heading, a short explanation, and the code it runs. */
export interface SectionSpec {
  /** Anchor id, e.g. `'disk'`. */
  readonly id: string;
  readonly title: string;
  /** The matching heading of Panel's guide, shown as the section's kicker. */
  readonly guide: string;
  readonly lead: readonly Child[];
  /** The TypeScript this section runs, shown beside the example. */
  readonly sample: string;
  /** Stack the code below a full-width example instead of beside it (for wide tables). */
  readonly wide?: boolean;
}

/** Builds a section card: heading, explanation, code sample, and an empty body for the live example. */
export function section(spec: SectionSpec): Section {
  const body = h('div', { class: 'section-body' });
  const root = h(
    'section',
    { id: spec.id, class: 'card', 'aria-labelledby': `${spec.id}-title` },
    h(
      'header',
      { class: 'card-header' },
      h('p', { class: 'kicker' }, spec.guide),
      h('h2', { id: `${spec.id}-title` }, spec.title),
      h('p', { class: 'lead' }, ...spec.lead),
    ),
    spec.wide ? h('div', { class: 'card-stack' }, body, code(spec.sample)) : h('div', { class: 'card-grid' }, body, code(spec.sample)),
  );
  return { root, body };
}

/** An inline code fragment. */
export function c(text: string): HTMLElement {
  return h('code', {}, text);
}

/** A message box; `tone` sets its colour. Hidden while it has no text. */
export function notice(tone: 'info' | 'warn' | 'error', attrs: Record<string, string> = {}): HTMLParagraphElement {
  return h('p', { class: `notice notice-${tone}`, hidden: true, ...attrs });
}

/** Shows `text` in a {@link notice}, or hides it when `text` is empty. */
export function setNotice(element: HTMLElement, text: string): void {
  element.textContent = text;
  element.hidden = text === '';
}
