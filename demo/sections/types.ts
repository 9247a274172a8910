/** A section of the demo page: its element, and the first calls it makes once it is on the page. */
export interface DemoSection {
  readonly root: HTMLElement;
  /**
   * Makes the section's first calls. The page starts sections one after another, so that calls
   * sharing a memoized function never overlap and each answer's source stays unambiguous.
   */
  readonly start?: () => Promise<void>;
}
