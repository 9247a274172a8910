/**
 * The Node run of the memory-tier cases (bundled by bench/run.mjs, then run with plain `node`).
 * argv[2]: JSON settings and groups; prints one line `BENCH-RESULTS <json>` on stdout.
 */
import type { BenchSettings, CaseResult } from './harness.ts';
import { keyCases, memoryHitCases, missOverheadMemoryCase } from './memory-cases.ts';

const groups: Record<string, (settings: BenchSettings) => Promise<CaseResult[]>> = {
  memory: (settings) => memoryHitCases('node', settings),
  miss: async (settings) => [await missOverheadMemoryCase('node', settings)],
  keys: (settings) => keyCases('node', settings),
};

const { settings, only } = JSON.parse(process.argv[2] ?? '{}') as { settings?: BenchSettings; only?: string[] };
const results: CaseResult[] = [];
for (const [name, runGroup] of Object.entries(groups)) {
  if (only && !only.includes(name)) continue;
  const started = performance.now();
  results.push(...(await runGroup(settings ?? { scale: 1 })));
  console.error(`bench: node ${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
console.log(`BENCH-RESULTS ${JSON.stringify(results)}`);
