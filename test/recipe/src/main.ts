// The page of the adopter run: computes through idb-memo, waits for the disk writes, and shows what
// answered each call (a reload must find everything on disk).
import { cacheOf, cacheStatus, flushCaches, isIdbMemoError } from 'idb-memo';
import { fetchReport, RegionView, totalOf } from './reports';

async function main(): Promise<void> {
  const north = new RegionView('north');
  const years = await north.years();
  const total = await totalOf('north', years[0] ?? 0);
  const response = await fetchReport();
  await flushCaches();
  const out = document.querySelector<HTMLOutputElement>('#out')!;
  out.textContent = JSON.stringify({
    years,
    total,
    fetch: cacheStatus(response),
    totalOf: totalOf.stats(),
    years_: cacheOf(north.years).stats(),
  });
  out.dataset.ready = 'true';
}

main().catch((error: unknown) => {
  const out = document.querySelector<HTMLOutputElement>('#out')!;
  // idb-memo's own errors carry a stable code (docs/errors.md); the app's reach it unchanged.
  if (isIdbMemoError(error)) out.textContent = `idb-memo failed (${error.code}): ${error.message}`;
  else out.textContent = `failed: ${String(error)}`;
});
