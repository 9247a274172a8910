// A "page" of the ported peer tests (test/shared/peers.test.ts): one instance of the library with
// its own memory, driven by messages, so that the same ported test can run a fresh page after a
// reload. In Chromium a fresh page is a module Worker (its own module graph on the same IndexedDB;
// `vi.resetModules()` does not give fresh module state in Vitest's browser mode, and an iframe
// page broke the runner's connection); under happy-dom it is a re-import after `vi.resetModules()`.
import type * as Library from '../../src/index.ts';

/** Options a page's fixture is memoized with; plain data, so that it crosses to a worker. */
export type PageOptions = {
  maxItems?: number;
  policy?: 'LRU' | 'LFU' | 'FIFO';
  ttl?: number;
  cachePath?: string;
  perSession?: boolean;
  name?: string;
} & ({ toDisk?: false } | { toDisk: true; name: string });

/** One request to a page: an operation on the fixture memoized with `options`. */
export type PageRequest =
  | { op: 'call' | 'delete'; options: PageOptions; args: unknown[]; fixture?: Fixture }
  | { op: 'clear' | 'stats'; options: PageOptions; fixture?: Fixture }
  | { op: 'flush' | 'clearCaches' };

/** Which function a page memoizes: Panel's test fixture (the default) or its guide's example. */
export type Fixture = 'function_with_args' | 'expensive_computation';

/**
 * A page's answer, with every computation the page has run so far (`add(a,b)=value`) and the
 * token of the module instance that answered (a fresh page has its own).
 */
export type PageReply = ({ ok: true; value: unknown } | { ok: false; error: string }) & { computed: string[]; realm: string };

/** This module instance's token: a fresh page that were not fresh would show this page's token. */
const REALM = Math.random().toString(36).slice(2);

/**
 * The request handler of one page over one library instance. Its fixture is Panel's
 * `function_with_args` from `panel/tests/io/test_cache.py`: `a + b` plus how many times this page
 * computed `(a, b)` before, so that a recomputation is told from a hit by its value.
 */
export function pageHandler(lib: typeof Library): (request: PageRequest) => Promise<PageReply> {
  const offsets = new Map<string, number>();
  const computed: string[] = [];
  const add = (a: number, b: number): number => {
    const offset = offsets.get(`${a},${b}`) ?? 0;
    offsets.set(`${a},${b}`, offset + 1);
    computed.push(`add(${a},${b})=${a + b + offset}`);
    return a + b + offset;
  };
  // Panel's guide, "Disk caching": `expensive_computation(n)` returns the time it ran.
  const expensiveComputation = (n: number, _unused?: number): Date => {
    computed.push(`expensive_computation(${n})`);
    return new Date();
  };
  const memoized = new Map<string, Library.Memoized<typeof add>>();
  const fixture = (options: PageOptions, which: Fixture = 'function_with_args') => {
    const id = `${which}:${JSON.stringify(options)}`;
    let f = memoized.get(id);
    if (!f) memoized.set(id, (f = lib.cache(which === 'function_with_args' ? add : (expensiveComputation as unknown as typeof add), options)));
    return f;
  };
  return async (request) => {
    try {
      let value: unknown;
      if (request.op === 'call') value = await fixture(request.options, request.fixture)(...(request.args as [number, number]));
      else if (request.op === 'delete') value = await fixture(request.options, request.fixture).delete(...(request.args as [number, number]));
      else if (request.op === 'clear') value = await fixture(request.options, request.fixture).clear();
      else if (request.op === 'stats') value = fixture(request.options, request.fixture).stats();
      else if (request.op === 'flush') value = await lib.flushCaches();
      else value = await lib.clearCaches();
      return { ok: true, value, computed: [...computed], realm: REALM };
    } catch (error) {
      return { ok: false, error: String(error), computed: [...computed], realm: REALM };
    }
  };
}
