import { PageModule, ResizeColumnsModule, SortModule, Tabulator, type ColumnDefinition } from 'tabulator-tables';
import 'tabulator-tables/dist/css/tabulator_simple.min.css';
import type { Dataset } from './datasets.ts';

// Only the modules the demo uses: pagination, sorting, column resizing.
Tabulator.registerModule([PageModule, SortModule, ResizeColumnsModule]);

/** A paginated Tabulator table (Panel's `pn.widgets.Tabulator(df, page_size=10)`) that can show one dataset after another. */
export class DataTable {
  readonly #element: HTMLElement;
  readonly #pageSize: number;
  #table: Tabulator | undefined;

  /** Renders into `element`, `pageSize` rows a page. */
  constructor(element: HTMLElement, pageSize = 10) {
    this.#element = element;
    this.#pageSize = pageSize;
  }

  /** Shows `data`, on its first page; resolves once the table is built. */
  show(data: Dataset): Promise<void> {
    this.#table?.destroy();
    const columns: ColumnDefinition[] = data.columns.map((column) => ({ title: column, field: column, headerSortTristate: true }));
    const table = new Tabulator(this.#element, {
      data: [...data.rows],
      columns,
      layout: 'fitDataFill',
      nestedFieldSeparator: false,
      pagination: true,
      paginationMode: 'local',
      paginationSize: this.#pageSize,
      paginationCounter: 'rows',
      placeholder: 'No rows',
    });
    this.#table = table;
    return new Promise((resolve) => table.on('tableBuilt', () => resolve()));
  }

  /** Removes the table. */
  clear(): void {
    this.#table?.destroy();
    this.#table = undefined;
    this.#element.replaceChildren();
  }
}
