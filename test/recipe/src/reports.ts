// The app of the testing recipe (docs/testing.md) and of the adopter run (scripts/adopter.mjs):
// what an app built with `npm create vite` (vanilla-ts) writes with idb-memo.
import { cache, cachedFetch } from 'idb-memo';

/** One row of the sales report. */
export interface Row {
  region: string;
  year: number;
  amount: number;
}

/**
 * The report, through cachedFetch: fetched once, then answered from its store, offline too. `ttl`
 * keeps it an hour whatever the server's `Cache-Control` says (`vite preview` sends `no-cache`,
 * which cachedFetch would otherwise honour by asking the server every time).
 */
export function fetchReport(): Promise<Response> {
  return cachedFetch('/report.json', undefined, { ttl: 3600 });
}

/** The report's rows. */
export async function fetchRows(): Promise<Row[]> {
  return (await (await fetchReport()).json()) as Row[];
}

/** A region's total for a year: computed once, then answered from memory, and after a reload from IndexedDB. */
export const totalOf = cache(
  async (region: string, year: number) => {
    const rows = await fetchRows();
    return rows.filter((row) => row.region === region && row.year === year).reduce((sum, row) => sum + row.amount, 0);
  },
  { toDisk: true, name: 'totalOf' },
);

/**
 * A region's view of the report: `@cache` memoizes a method. On disk, `key` says what of `this`
 * the result depends on (an instance is keyed by identity, which no reload keeps).
 */
export class RegionView {
  readonly region: string;

  constructor(region: string) {
    this.region = region;
  }

  @cache({
    toDisk: true,
    name: 'RegionView.years',
    key(this: RegionView) {
      return this.region;
    },
  })
  async years(): Promise<number[]> {
    const rows = await fetchRows();
    return [...new Set(rows.filter((row) => row.region === this.region).map((row) => row.year))].sort();
  }
}
