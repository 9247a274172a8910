// Issue 12 across a real reload: persisted keys mean the same in a fresh page (classes, long
// strings, fresh binaries and class instances keyed by hashFuncs, Files, large typed arrays), even when that page has no
// crypto.subtle; and each input is answered from its own stored entry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright';
import { startHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const INPUTS = ['longA', 'longB', 'image1', 'image3', 'fileA', 'fileB', 'blobText', 'blobCsv', 'big', 'pointA', 'pointB', 'hole', 'undef', 'errDisk', 'errNet'];

/** Calls one memoized `toDisk` function with input `which` in `page`; the answer says which input it was computed for. */
const callWith = (page: Page, which: string, withoutSubtle = false) =>
  page.evaluate(
    async ([which, withoutSubtle]) => {
      if (withoutSubtle) Object.defineProperty(globalThis.crypto, 'subtle', { value: undefined, configurable: true });
      const { cache, flushCaches } = window.idbMemo;
      // One class per page (as a module defines it), not one per evaluate.
      const w = window as unknown as { keyRuns?: number; keyFn?: (...args: unknown[]) => Promise<unknown>; keyClasses?: [typeof Canvas, typeof Point] };
      class Canvas {
        #pixels: Uint8ClampedArray;
        constructor(seed: number) {
          this.#pixels = new Uint8ClampedArray(64 * 64 * 4).map((_, i) => (i * seed) & 255);
        }
        getImageData() {
          return { data: this.#pixels.slice() };
        }
      }
      class Point {
        constructor(readonly x: number) {}
      }
      w.keyClasses ??= [Canvas, Point];
      const [C, P] = w.keyClasses;
      const inputs: Record<string, () => unknown[]> = {
        longA: () => ['a'.repeat(100_000)],
        longB: () => [`${'a'.repeat(99_999)}b`],
        image1: () => [new C(1)],
        image3: () => [new C(3)],
        fileA: () => [new File(['x'.repeat(1000)], 'a.txt', { lastModified: 1 })],
        fileB: () => [new File(['x'.repeat(1000)], 'b.txt', { lastModified: 1 })],
        blobText: () => [new Blob(['x'.repeat(1000)], { type: 'text/plain' })],
        blobCsv: () => [new Blob(['x'.repeat(1000)], { type: 'text/csv' })],
        big: () => [new Uint8Array(100_000).fill(7)],
        pointA: () => [new P(1)],
        pointB: () => [new P(2)],
        // eslint-disable-next-line no-sparse-arrays
        hole: () => [[, 1]],
        undef: () => [[undefined, 1]],
        errDisk: () => [new Error('failed', { cause: 'disk' })],
        errNet: () => [new Error('failed', { cause: 'network' })],
      };
      w.keyFn ??= cache(
        (..._args: unknown[]) => {
          w.keyRuns = (w.keyRuns ?? 0) + 1;
          return (globalThis as unknown as { currentInput: string }).currentInput;
        },
        {
          toDisk: true,
          name: 'e2e-keys',
          // Class instances are known by identity unless told how to key them (docs/keys.md).
          hashFuncs: [
            [C, (c: Canvas) => c.getImageData().data],
            [P, (p: Point) => p.x],
            [Error, (e: Error) => [e.message, e.cause]],
          ] as never,
        },
      );
      (globalThis as unknown as { currentInput: string }).currentInput = which;
      const value = await w.keyFn(...inputs[which]!());
      await flushCaches();
      return { value, runs: w.keyRuns ?? 0, subtle: typeof globalThis.crypto.subtle };
    },
    [which, withoutSubtle] as const,
  );

describe('persisted keys across a reload', () => {
  it('every input is answered from its own entry in a fresh page, with or without crypto.subtle', async () => {
    const context = await h.newContext();
    try {
      const page = await h.open(context);
      for (const [i, which] of INPUTS.entries()) {
        expect(await callWith(page, which)).toMatchObject({ value: which, runs: i + 1 });
      }
      for (const freshWithoutSubtle of [false, true]) {
        await page.reload();
        await page.waitForFunction(() => window.ready);
        for (const which of [...INPUTS].reverse()) {
          const answer = await callWith(page, which, freshWithoutSubtle);
          expect(answer, `${which} (crypto.subtle ${freshWithoutSubtle ? 'missing' : 'present'})`).toMatchObject({ value: which, runs: 0 });
          if (freshWithoutSubtle) expect(answer.subtle).toBe('undefined');
        }
      }
    } finally {
      await context.close();
    }
  });
});
