// Model-based test of the tier contract (issue 11): random sequences of calls, delete(), clear() and
// reloads, with a scheduler that varies when each computation finishes, run against the library
// and against a reference written apart from it (test/model/reference.ts). A toDisk cache must
// answer exactly what a memory-only one answers, across reloads too. Runs under happy-dom with
// fake-indexeddb and in Chromium.
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { FC_SEED, runsOr } from './seed.ts';
import * as library from '../../src/index.ts';
import { ReferenceCache } from '../model/reference.ts';

type Step = { kind: 'call'; key: string } | { kind: 'delete'; key: string } | { kind: 'clear' };
type Op = { kind: 'burst'; steps: Step[] } | { kind: 'reload' };

const KEYS = ['a', 'b', 'c', 'd', 'e'];
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...KEYS).map((key): Step => ({ kind: 'call', key })) },
  { weight: 1, arbitrary: fc.constantFrom(...KEYS).map((key): Step => ({ kind: 'delete', key })) },
  { weight: 1, arbitrary: fc.constant<Step>({ kind: 'clear' }) },
);
const burst = fc.array(step, { minLength: 1, maxLength: 4 }).map((steps): Op => ({ kind: 'burst', steps }));
const ops = (reloads: boolean) =>
  fc.array(reloads ? fc.oneof({ weight: 5, arbitrary: burst }, { weight: 1, arbitrary: fc.constant<Op>({ kind: 'reload' }) }) : burst, {
    minLength: 1,
    maxLength: 25,
  });
const bounds = fc.record({
  maxItems: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constant(Infinity)),
  policy: fc.constantFrom<'LRU' | 'LFU' | 'FIFO'>('LRU', 'LFU', 'FIFO'),
});

let run = 0;

/** A new instance of the library on the same IndexedDB, as after a reload. */
async function reloaded(): Promise<typeof library> {
  vi.resetModules();
  return import('../../src/index.ts');
}

async function check(toDisk: boolean, { maxItems, policy }: { maxItems: number; policy: 'LRU' | 'LFU' | 'FIFO' }, sequence: Op[], s: fc.Scheduler) {
  const cachePath = `model-${Date.now()}-${run++}`;
  const options = { maxItems, policy, toDisk, cachePath, name: 'model' };
  const model = new ReferenceCache(maxItems, policy);
  const computedPerKey = new Map<string, number>();
  const finished: string[] = [];
  const fn = (key: string): Promise<string> => {
    const n = computedPerKey.get(key) ?? 0;
    computedPerKey.set(key, n + 1);
    const value = ReferenceCache.valueOf(key, n);
    return s.schedule(Promise.resolve(value), `compute ${value}`).then((done) => {
      finished.push(done);
      return done;
    });
  };
  let lib = library;
  let f = lib.cache(fn, options);
  const log: string[] = [];
  /** Reference computation → the value the library's matching computation returned. */
  const matches = new Map<number, string>();
  try {
    for (const op of sequence) {
      if (op.kind === 'reload') {
        await lib.flushCaches();
        lib = await reloaded();
        f = lib.cache(fn, options);
        log.push('reload');
        continue;
      }
      const results: { step: string; actual: Promise<unknown>; computation?: number; value?: string }[] = [];
      for (const st of op.steps) {
        if (st.kind === 'clear') {
          model.clear();
          results.push({ step: 'clear', actual: f.clear(), value: 'undefined' });
        } else if (st.kind === 'delete') {
          model.delete(st.key);
          results.push({ step: `delete ${st.key}`, actual: f.delete(st.key).then(() => 'done'), value: 'done' });
        } else {
          const predicted = model.call(st.key);
          results.push({
            step: `call ${st.key} (${predicted.kind})`,
            actual: f(st.key),
            ...(predicted.kind === 'hit' ? { value: predicted.value } : { computation: predicted.computation }),
          });
        }
      }
      const settled = await s.waitFor(Promise.all(results.map(({ actual }) => actual.then(String))));
      // Calls that miss may start computing in another order than they were made (a toDisk call
      // reads the disk first), so computations are matched, not numbered: each computation of the
      // reference is one computation of the library, and calls sharing one get one value.
      results.forEach(({ step: name, computation, value }, i) => {
        log.push(`${name} -> ${settled[i]}`);
        if (computation === undefined) return expect(settled[i], log.join('\n')).toBe(value);
        const matched = matches.get(computation);
        if (matched === undefined) {
          expect([...matches.values()], log.join('\n')).not.toContain(settled[i]);
          matches.set(computation, settled[i]!);
        } else expect(settled[i], log.join('\n')).toBe(matched);
      });
      // The reference stores finished computations in the order they finished.
      for (const done of finished.splice(0)) {
        const computation = [...matches].find(([, v]) => v === done)?.[0];
        expect(computation, `${done} was computed for no call\n${log.join('\n')}`).toBeDefined();
        model.computations[computation!]!.value = done;
        model.finish(computation!);
      }
      expect(Object.fromEntries(computedPerKey), log.join('\n')).toEqual(model.computedCounts());
    }
  } finally {
    await f.clear();
    await lib.flushCaches();
  }
}

describe('the tier contract against a reference model', () => {
  it('memory-only answers as the reference does', async () => {
    await fc.assert(
      fc.asyncProperty(bounds, ops(false), fc.scheduler(), (b, sequence, s) => check(false, b, sequence, s)),
      { numRuns: 150, seed: FC_SEED },
    );
  });

  it('toDisk answers as memory-only does, whatever the timing, and across reloads', async () => {
    await fc.assert(
      fc.asyncProperty(bounds, ops(true), fc.scheduler(), (b, sequence, s) => check(true, b, sequence, s)),
      { numRuns: runsOr(80), seed: FC_SEED },
    );
  }, 120_000);
});
