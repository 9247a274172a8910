// The app of the testing recipe (docs/testing.md) and of the adopter run (scripts/adopter.mjs):
// what an app built with `npm create vite` (vanilla-ts) writes with idb-memo.
import { cache, cachedFetch } from 'idb-memo';

/** One row of the sales report. */
export interface Row {
  region: string;
  year: number;
  amount: number;
}

/** The report's rows: fetched once, then answered by cachedFetch's store, offline too. */
export async function fetchRows(): Promise<Row[]> {
  const response = await cachedFetch('/report.json');
  return (await response.json()) as Row[];
}

/** A region's total for a year: computed once, then answered from memory, and after a reload from IndexedDB. */
export const totalOf = cache(
  async (region: string, year: number) => {
    const rows = await fetchRows();
    return rows.filter((row) => row.region === region && row.year === year).reduce((sum, row) => sum + row.amount, 0);
  },
  { toDisk: true, name: 'totalOf' },
);

/** A region's view of the report: `@cache` memoizes a method, and `this` (its region) is part of the key. */
export class RegionView {
  readonly region: string;

  constructor(region: string) {
    this.region = region;
  }

  @cache({ toDisk: true, name: 'RegionView.years' })
  async years(): Promise<number[]> {
    const rows = await fetchRows();
    return [...new Set(rows.filter((row) => row.region === this.region).map((row) => row.year))].sort();
  }
}
