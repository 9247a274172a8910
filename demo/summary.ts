import type { Cell, Dataset } from './datasets.ts';

/** What {@link summarize} tells about one column. */
export interface ColumnSummary {
  readonly column: string;
  readonly kind: 'number' | 'text' | 'boolean' | 'empty';
  /** Non-empty cells. */
  readonly count: number;
  /** For numbers: `min – max, mean m`; otherwise the distinct values and the most common one. */
  readonly detail: string;
}

/** Per-column counts and ranges of a dataset (a small `df.describe()`). */
export function summarize(data: Dataset): ColumnSummary[] {
  return data.columns.map((column) => summarizeColumn(column, data.rows.map((row) => row[column] ?? null)));
}

function summarizeColumn(column: string, cells: readonly Cell[]): ColumnSummary {
  const present = cells.filter((cell): cell is Exclude<Cell, null> => cell !== null && cell !== '');
  if (present.length === 0) return { column, kind: 'empty', count: 0, detail: 'no values' };
  if (present.every((cell) => typeof cell === 'number')) {
    const numbers = present as number[];
    let min = Infinity, max = -Infinity, sum = 0;
    for (const n of numbers) {
      if (n < min) min = n;
      if (n > max) max = n;
      sum += n;
    }
    return { column, kind: 'number', count: numbers.length, detail: `${round(min)} – ${round(max)}, mean ${round(sum / numbers.length)}` };
  }
  const counts = new Map<string, number>();
  for (const cell of present) counts.set(String(cell), (counts.get(String(cell)) ?? 0) + 1);
  let top = '', topCount = 0;
  for (const [value, count] of counts) if (count > topCount) [top, topCount] = [value, count];
  const kind = present.every((cell) => typeof cell === 'boolean') ? 'boolean' : 'text';
  return { column, kind, count: present.length, detail: `${counts.size} distinct, most often “${top}” (${topCount}×)` };
}

function round(n: number): string {
  return Number.isInteger(n) ? n.toLocaleString() : n.toLocaleString(undefined, { maximumFractionDigits: 2 });
}
