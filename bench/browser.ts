/** The bench page's module: exposes the Chromium cases to bench/run.mjs as `window.__idbMemoBench`. */
import { coldLookupCase, diskHitCases, memoryHitDiskCase, missOverheadDiskCase, scaleCase } from './disk-cases.ts';
import type { BenchSettings, CaseResult } from './harness.ts';
import { keyCases, memoryHitCases, missOverheadMemoryCase } from './memory-cases.ts';
import { firstLookupCase } from './reload-cases.ts';

const groups: Record<string, (settings: BenchSettings) => Promise<CaseResult[]>> = {
  memory: async (settings) => [...(await memoryHitCases('chromium', settings)), await memoryHitDiskCase(settings)],
  miss: async (settings) => [await missOverheadMemoryCase('chromium', settings), await missOverheadDiskCase(settings)],
  keys: (settings) => keyCases('chromium', settings),
  disk: (settings) => diskHitCases(settings),
  cold: async (settings) => [await coldLookupCase(settings)],
  first: async (settings) => [await firstLookupCase(settings)],
  scale: async (settings) => [await scaleCase(settings, settings.scaleSizes)],
};

export interface BenchPage {
  groups: string[];
  run(group: string, settings: BenchSettings): Promise<CaseResult[]>;
  info(): { userAgent: string; crossOriginIsolated: boolean; hardwareConcurrency: number };
}

declare global {
  interface Window {
    __idbMemoBench?: BenchPage;
  }
}

window.__idbMemoBench = {
  groups: Object.keys(groups),
  run(group, settings) {
    const runGroup = groups[group];
    if (!runGroup) throw new Error(`bench: unknown group "${group}"`);
    return runGroup(settings);
  },
  info: () => ({ userAgent: navigator.userAgent, crossOriginIsolated, hardwareConcurrency: navigator.hardwareConcurrency }),
};
