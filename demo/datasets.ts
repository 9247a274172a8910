import { autoType, csvParse } from 'd3-dsv';
import { cache } from '../src/index.ts';
import { track } from './provenance.ts';

/** The four datasets of Panel's caching guide, by label, exactly as the guide names them. */
export const DATASETS = {
  Penguins: 'https://raw.githubusercontent.com/mwaskom/seaborn-data/master/penguins.csv',
  Diamonds: 'https://raw.githubusercontent.com/mwaskom/seaborn-data/master/diamonds.csv',
  Titanic: 'https://raw.githubusercontent.com/mwaskom/seaborn-data/master/titanic.csv',
  MPG: 'https://raw.githubusercontent.com/mwaskom/seaborn-data/master/mpg.csv',
} as const satisfies Record<string, string>;

/** A dataset's label: `'Penguins'`, `'Diamonds'`, `'Titanic'` or `'MPG'`. */
export type DatasetName = keyof typeof DATASETS;

/** One parsed CSV cell: numbers and booleans are typed, empty cells are null. */
export type Cell = string | number | boolean | null;

/** One CSV row, by column name. */
export type Row = Record<string, Cell>;

/** A parsed CSV: plain data, so that it stores in IndexedDB as it is. */
export interface Dataset {
  readonly columns: readonly string[];
  readonly rows: readonly Row[];
}

/** The label of the dataset at `url`, or the URL itself when it is none of {@link DATASETS}. */
export function datasetName(url: string): string {
  return Object.entries(DATASETS).find(([, value]) => value === url)?.[0] ?? url;
}

/** Whether `value` is one of the {@link DATASETS} labels. */
export function isDatasetName(value: unknown): value is DatasetName {
  return typeof value === 'string' && Object.hasOwn(DATASETS, value);
}

/** Parses CSV text, typing numbers and booleans (d3-dsv's `autoType`); dates stay strings. */
export function parseCsv(text: string): Dataset {
  const parsed = csvParse(text, (raw) => {
    const typed = autoType(raw) as Record<string, unknown>;
    const row: Row = {};
    for (const [column, value] of Object.entries(typed)) {
      row[column] = value instanceof Date ? (raw[column] ?? null) : (value as Cell);
    }
    return row;
  });
  return { columns: [...parsed.columns], rows: [...parsed] };
}

/** Thrown by {@link fetchData} when the browser knows it is offline, instead of trying the network. */
export class OfflineError extends Error {
  override readonly name = 'OfflineError';
}

/** Fetches and parses the CSV at `url` (Panel's `pd.read_csv(url)`); rejects on a network or HTTP error. */
export async function fetchData(url: string): Promise<Dataset> {
  if (!navigator.onLine) throw new OfflineError(`${datasetName(url)}: the browser is offline`);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${datasetName(url)}: the server answered ${response.status} ${response.statusText}`.trim());
  return parseCsv(await response.text());
}

/**
 * The guide's cached loader, `@pn.cache(to_disk=True) def fetch_data(url)`: each URL is fetched
 * once, then answered from memory, and after a reload (or offline) from IndexedDB.
 */
export const loadDataset = track('loadDataset', cache(fetchData, { toDisk: true }));

/** Whether a failed load means "offline, and never loaded here" rather than some other error. */
export function isOfflineError(error: unknown): boolean {
  return error instanceof OfflineError || error instanceof TypeError || !navigator.onLine;
}
