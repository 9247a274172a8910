import './styles.css';
import { inspect, inspectCaches } from '../src/index.ts';
import { h } from './dom.ts';
import { offlineStatus } from './offline.ts';
import { cachePathSection } from './sections/cache-path.ts';
import { clearingSection } from './sections/clearing.ts';
import { dependenciesSection } from './sections/dependencies.ts';
import { diskSection } from './sections/disk.ts';
import { loadDataSection } from './sections/load-data.ts';
import { methodSection } from './sections/method.ts';
import { perSessionSection } from './sections/per-session.ts';
import { policySection } from './sections/policy.ts';
import { trackedCaches } from './provenance.ts';
import type { DemoSection } from './sections/types.ts';

const app = document.querySelector<HTMLElement>('#app');
const status = document.querySelector<HTMLElement>('#network-status');
if (!app || !status) throw new Error('idb-memo demo: index.html lacks #app or #network-status');

offlineStatus(status);

// For the curious (and the end-to-end tests): `await idbMemo.inspect(idbMemo.caches[0].fn)` in the console.
Object.assign(window, { idbMemo: { inspect, inspectCaches, caches: trackedCaches() } });

// These three share `loadDataset`: they start one after another, so each answer's source is clear.
const dataSections: DemoSection[] = [loadDataSection(), dependenciesSection(), methodSection()];
const otherSections: DemoSection[] = [diskSection(), cachePathSection(), clearingSection(), perSessionSection(), policySection()];

app.replaceChildren(
  ...[...dataSections, ...otherSections].map((section) => section.root),
  h('footer', { class: 'footer' }, 'idb-memo · the browser counterpart of Panel’s pn.cache · MIT'),
);

void (async () => {
  for (const section of dataSections) await section.start?.();
})();
for (const section of otherSections) void section.start?.();
