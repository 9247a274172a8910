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

/** Why a dataset could not be loaded: each gets its own message. */
export type LoadProblem = 'offline' | 'unreachable' | 'http' | 'parse';

/** Thrown by {@link fetchData}: what went wrong, in words that do not repeat the dataset's name. */
export class LoadError extends Error {
  override readonly name = 'LoadError';
  constructor(
    readonly problem: LoadProblem,
    message: string,
  ) {
    super(message);
  }
}

/** Fetches and parses the CSV at `url` (Panel's `pd.read_csv(url)`); rejects with a {@link LoadError}. */
export async function fetchData(url: string): Promise<Dataset> {
  if (!navigator.onLine) throw new LoadError('offline', 'the browser is offline');
  const host = new URL(url).host;
  let text: string;
  try {
    const response = await fetch(url);
    if (!response.ok) throw new LoadError('http', `${host} answered ${response.status} ${response.statusText}`.trim());
    text = await response.text();
  } catch (error) {
    if (error instanceof LoadError) throw error;
    // fetch() rejects with a TypeError when no answer came: offline, or the host is out of reach.
    if (!navigator.onLine) throw new LoadError('offline', 'the browser is offline');
    throw new LoadError('unreachable', `${host} could not be reached`);
  }
  const data = parseCsv(text);
  if (text.trimStart().startsWith('<') || data.columns.length < 2 || data.rows.length === 0) {
    throw new LoadError('parse', `what ${host} sent is not a CSV table`);
  }
  return data;
}

/**
 * The demo's own small copy of the dataset at `url` (the first rows of each, in demo/public/data/,
 * precached by the service worker): what the data sections show when the data host cannot be
 * reached. It is not memoized, so the next load tries the host again.
 */
export async function localCopy(url: string): Promise<Dataset> {
  const response = await fetch(new URL(`data/${datasetName(url).toLowerCase()}.csv`, document.baseURI));
  if (!response.ok) throw new LoadError('http', `the demo's copy answered ${response.status}`);
  return parseCsv(await response.text());
}

/** Whether a load failed because the data host could not be reached (offline included): when {@link localCopy} stands in. */
export function isUnreachable(error: unknown): boolean {
  return error instanceof LoadError ? error.problem === 'offline' || error.problem === 'unreachable' : !navigator.onLine;
}

/**
 * The guide's cached loader, `@pn.cache(to_disk=True) def fetch_data(url)`: each URL is fetched
 * once, then answered from memory, and after a reload (or offline) from IndexedDB.
 */
export const loadDataset = track('loadDataset', cache(fetchData, { toDisk: true, name: 'loadDataset' }));

/**
 * What to tell the reader when a load failed, without the dataset's name (the status line
 * beside it names it already); `copyShown`: the demo's {@link localCopy} is shown instead.
 */
export function describeLoadError(error: unknown, copyShown = false): string {
  const problem = error instanceof LoadError ? error.problem : navigator.onLine ? undefined : 'offline';
  const instead = copyShown ? ': shown below are its first rows, which come with the demo' : '';
  switch (problem) {
    case 'offline':
      return `You are offline, and this device holds no saved copy of this dataset (it was never loaded here, or its copy was cleared)${instead}. Reconnect and load it again: from then on it opens offline too.`;
    case 'unreachable':
      return `The browser is online, but ${(error as LoadError).message}${instead}. Try again in a while; datasets loaded before still open from this device.`;
    case 'http':
      return `The data host refused it: ${(error as LoadError).message}.`;
    case 'parse':
      return `It arrived, but ${(error as LoadError).message}, so there is nothing to show.`;
    default:
      return `It could not be loaded: ${error instanceof Error ? error.message : String(error)}.`;
  }
}

/** The demo's {@link localCopy} of `url` when `error` says its host could not be reached; undefined otherwise, or when the copy cannot be had either. */
export async function copyInsteadOf(error: unknown, url: string): Promise<Dataset | undefined> {
  return isUnreachable(error) ? localCopy(url).catch(() => undefined) : undefined;
}
