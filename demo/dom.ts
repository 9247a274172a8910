/** Tiny DOM helpers: the demo has no framework, only these. */

/** A child of {@link h}: a node or text; `null`, `undefined` and `false` are skipped. */
export type Child = Node | string | number | null | undefined | false;

/** Attributes of {@link h}: `true` sets an empty attribute, `false`/`undefined` leave it out. */
export type Attrs = Record<string, string | number | boolean | undefined>;

/** Creates an element with attributes and children: `h('p', { class: 'lead' }, 'Hello')`. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

/** Replaces the children of `parent` with `children`. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

function append(parent: Element, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(typeof child === 'number' ? String(child) : child);
  }
}

/** A button that runs `onClick`; it is disabled while the returned promise is pending. */
export function button(label: string, onClick: () => unknown, attrs: Attrs = {}): HTMLButtonElement {
  const element = h('button', { type: 'button', class: 'btn', ...attrs }, label);
  element.addEventListener('click', () => {
    const result = onClick();
    if (result instanceof Promise) {
      element.disabled = true;
      void result.finally(() => (element.disabled = false));
    }
  });
  return element;
}

/** A `<select>` of `options` (label → value), with `selected` chosen. */
export function select(options: Readonly<Record<string, string>>, selected: string, attrs: Attrs = {}): HTMLSelectElement {
  const element = h('select', attrs);
  for (const [label, value] of Object.entries(options)) {
    element.append(h('option', { value, selected: value === selected }, label));
  }
  return element;
}

/** A labelled form control: `<label><span>text</span>control</label>`. */
export function field(label: string, control: HTMLElement): HTMLLabelElement {
  return h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), control);
}

/**
 * A code sample, shown as written: its lines never wrap; wider than its card, it scrolls sideways
 * with a cue ({@link watchScroll}).
 */
export function code(source: string): HTMLDivElement {
  const pre = h('pre', { class: 'code', tabindex: 0 }, h('code', {}, source.trim()));
  const frame = h('div', { class: 'scroll-frame code-frame' }, pre);
  watchScroll(pre, frame);
  return frame;
}

/** Milliseconds, readable: `0.2 ms`, `14 ms`, `2.01 s`. */
export function formatMs(ms: number): string {
  if (ms < 1) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** A wall-clock time with seconds, e.g. `14:05:09`. */
export function formatTime(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** The message of anything thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Marks `frame` with `data-more-left` / `data-more-right` while `scroller` has more to show on that
 * side, so that CSS fades that edge: a table or code sample wider than a phone says that it
 * scrolls, instead of hiding columns or wrapping mid-expression. Kept up to date as the scroller
 * scrolls, resizes or gets new content.
 */
export function watchScroll(scroller: HTMLElement, frame: HTMLElement): void {
  const update = () => {
    const hidden = scroller.scrollWidth - scroller.clientWidth;
    frame.toggleAttribute('data-more-left', scroller.scrollLeft > 1);
    frame.toggleAttribute('data-more-right', scroller.scrollLeft < hidden - 1);
  };
  scroller.addEventListener('scroll', update, { passive: true });
  new ResizeObserver(update).observe(scroller);
  new MutationObserver(update).observe(scroller, { childList: true, subtree: true });
  update();
}

/** `content` in a horizontally scrolling area with a cue on the side that has more ({@link watchScroll}). */
export function scrollArea(content: HTMLElement | null, attrs: Attrs = {}): { frame: HTMLDivElement; scroller: HTMLDivElement } {
  // Focusable, so that a keyboard can scroll it too.
  const scroller = h('div', { class: 'scroll-x', tabindex: 0, ...attrs }, content);
  const frame = h('div', { class: 'scroll-frame' }, scroller);
  watchScroll(scroller, frame);
  return { frame, scroller };
}
