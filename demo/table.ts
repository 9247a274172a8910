import { FormatModule, PageModule, ResizeColumnsModule, ResizeTableModule, SortModule, Tabulator, type ColumnDefinition } from 'tabulator-tables';
import 'tabulator-tables/dist/css/tabulator_simple.min.css';
import type { Cell, Dataset } from './datasets.ts';
import { watchScroll } from './dom.ts';

// Only the modules the demo uses: pagination, sorting, column resizing, number formats, and a new
// layout when the table's width changes.
Tabulator.registerModule([PageModule, SortModule, ResizeColumnsModule, ResizeTableModule, FormatModule]);

/** A paginated Tabulator table (Panel's `pn.widgets.Tabulator(df, page_size=10)`) that can show one dataset after another. */
export class DataTable {
  readonly #element: HTMLElement;
  readonly #pageSize: number;
  #table: Tabulator | undefined;

  /** Renders into `element`, `pageSize` rows a page. */
  constructor(element: HTMLElement, pageSize = 10) {
    this.#element = element;
    // The frame of the scroll cue of the table's rows (see show()).
    element.classList.add('scroll-frame');
    this.#pageSize = pageSize;
  }

  /** Shows `data`, on its first page; resolves once the table is built. */
  show(data: Dataset): Promise<void> {
    this.#table?.destroy();
    const columns = data.columns.map((column) => columnOf(column, data.rows.map((row) => row[column] ?? null)));
    const table = new Tabulator(this.#element, {
      data: [...data.rows],
      columns,
      // The table is as wide as its columns (up to the card's width, then it scrolls): no empty filler column at the right.
      layout: 'fitDataTable',
      nestedFieldSeparator: false,
      pagination: true,
      paginationMode: 'local',
      paginationSize: this.#pageSize,
      paginationCounter: (pageSize, currentRow, _page, totalRows) =>
        totalRows === 0 ? 'No rows' : `Rows ${currentRow.toLocaleString()}–${Math.min(currentRow + pageSize - 1, totalRows).toLocaleString()} of ${totalRows.toLocaleString()}`,
      placeholder: 'No rows',
    });
    this.#table = table;
    return new Promise((resolve) =>
      table.on('tableBuilt', () => {
        // A table wider than the card scrolls sideways: its edge fades while there is more to see.
        const holder = this.#element.querySelector<HTMLElement>('.tabulator-tableholder');
        if (holder) watchScroll(holder, this.#element);
        resolve();
      }),
    );
  }

  /** Removes the table. */
  clear(): void {
    this.#table?.destroy();
    this.#table = undefined;
    this.#element.replaceChildren();
  }
}

const isEmpty = (cell: unknown) => cell === null || cell === undefined || cell === '';

/**
 * A column's definition: numbers right-aligned with as many decimals in every row (up to 3), and
 * empty cells sorted last whichever the direction.
 */
function columnOf(column: string, cells: readonly Cell[]): ColumnDefinition {
  const present = cells.filter((cell) => !isEmpty(cell));
  const numeric = present.length > 0 && present.every((cell) => typeof cell === 'number');
  const definition: ColumnDefinition = {
    title: column,
    field: column,
    headerSortTristate: true,
    sorter: (a: Cell, b: Cell, _aRow, _bRow, _column, dir) => {
      if (isEmpty(a) || isEmpty(b)) {
        if (isEmpty(a) && isEmpty(b)) return 0;
        // Tabulator reverses the result when descending: undo that for empties, which stay last.
        return (isEmpty(a) ? 1 : -1) * (dir === 'desc' ? -1 : 1);
      }
      if (numeric) return (a as number) - (b as number);
      return String(a).localeCompare(String(b), undefined, { numeric: true });
    },
  };
  if (!numeric) return definition;
  const decimals = Math.min(3, Math.max(0, ...present.map((cell) => decimalsOf(cell as number))));
  const format = new Intl.NumberFormat(undefined, { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  return {
    ...definition,
    hozAlign: 'right',
    headerHozAlign: 'right',
    cssClass: 'num',
    formatter: (cell) => {
      const value: unknown = cell.getValue();
      return typeof value === 'number' ? format.format(value) : '';
    },
  };
}

function decimalsOf(n: number): number {
  if (!Number.isFinite(n) || Number.isInteger(n)) return 0;
  const text = String(n);
  const dot = text.indexOf('.');
  return dot === -1 || text.includes('e') ? 3 : text.length - dot - 1;
}
