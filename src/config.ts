import { checkName, checkNames, invalid } from './options';

/** Library-wide settings, the counterpart of Panel's `pn.config` cache settings. */
export interface Config {
  /**
   * IndexedDB database of `toDisk` caches without their own `cachePath`, read at each call.
   * @default './cache'
   */
  cachePath: string;
  /**
   * Days after which a namespace (a `name` and `version`) that no page used is removed from the
   * disk, with its entries; a positive number, or Infinity to keep them.
   * @default 30
   */
  maxUnusedDays: number;
}

const settings: Config = { cachePath: './cache', maxUnusedDays: 30 };

/**
 * Library-wide settings. Assigning a property validates it:
 * `config.cachePath = 'cache3'` (Panel's `pn.config.cache_path = './cache3'`).
 */
export const config: Config = Object.seal({
  get cachePath() {
    return settings.cachePath;
  },
  set cachePath(value: string) {
    if (value === undefined) invalid('cachePath', 'a string', value);
    checkName('cachePath', value);
    settings.cachePath = value;
  },
  get maxUnusedDays() {
    return settings.maxUnusedDays;
  },
  set maxUnusedDays(value: number) {
    if (typeof value !== 'number' || !(value > 0)) invalid('maxUnusedDays', 'a positive number of days', value);
    settings.maxUnusedDays = value;
  },
});

/**
 * Sets several settings at once: `configure({ cachePath: 'cache2' })`
 * (Panel's `pn.extension(cache_path='./cache2')`).
 * @throws IdbMemoTypeError (`INVALID_OPTION`) for an unknown setting or a value of the wrong type
 */
export function configure(changes: Partial<Config>): void {
  if (typeof changes !== 'object' || changes === null) invalid('configure()', 'an object of settings', changes);
  checkNames(changes, Object.keys(settings), 'unknown setting');
  Object.assign(config, changes);
}
