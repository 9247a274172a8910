import { cache } from '../src/index.ts';
import { DATASETS, loadDataset, type Dataset } from './datasets.ts';

/**
 * Panel's `DataExplorer(pn.viewable.Viewer)` with a cached method. `@cache` keys each call by the
 * instance's own data, so changing `dataset` changes the answer and each dataset is cached once.
 */
export class DataExplorer {
  /** URL of the dataset to explore (Panel's `param.Selector(objects=DATASETS)`). */
  dataset: string = DATASETS.Penguins;

  /** The dataset's rows; cached per value of `this.dataset`. */
  @cache
  async fetchData(): Promise<Dataset> {
    return loadDataset(this.dataset);
  }
}
