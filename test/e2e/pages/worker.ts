// A module worker of the test origin: answers { name, n } with the memoized result and its stats.
import { cache } from '../../../src/index';

let computed = 0;
self.onmessage = async ({ data }: MessageEvent<{ name: string; n: number }>) => {
  const square = cache(
    async (n: number) => {
      computed++;
      return { n, squared: n * n, label: `${data.name}:${n}` };
    },
    { toDisk: true, name: data.name },
  );
  const value = await square(data.n);
  self.postMessage({ value, stats: square.stats(), computed });
};
