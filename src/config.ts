import { IdbMemoTypeError } from './errors';
import { checkName, describe } from './options';

/** Library-wide settings, the counterpart of Panel's `pn.config` cache settings. */
export interface Config {
  /** Default IndexedDB database name for `toDisk` caches without their own `cachePath`. Initially `'./cache'`. */
  cachePath: string;
}

let cachePath = './cache';

/**
 * Library-wide settings. Assigning a property validates it:
 * `config.cachePath = 'cache3'` (Panel's `pn.config.cache_path = './cache3'`).
 */
export const config: Config = {
  get cachePath() {
    return cachePath;
  },
  set cachePath(value: string) {
    checkName('cachePath', value);
    if (value === undefined) throw new IdbMemoTypeError('INVALID_OPTION', 'idb-memo: config.cachePath must be a string (got undefined)');
    cachePath = value;
  },
};
Object.seal(config);

/**
 * Sets several settings at once: `configure({ cachePath: 'cache2' })`
 * (Panel's `pn.extension(cache_path='./cache2')`).
 * @throws TypeError for an unknown setting or a value of the wrong type
 */
export function configure(settings: Partial<Config>): void {
  if (typeof settings !== 'object' || settings === null) {
    throw new IdbMemoTypeError('INVALID_OPTION', `idb-memo: configure() takes an object of settings (got ${describe(settings)})`);
  }
  for (const [name, value] of Object.entries(settings)) {
    if (!(name in config)) throw new IdbMemoTypeError('INVALID_OPTION', `idb-memo: unknown setting "${name}" (known: ${Object.keys(config).join(', ')})`);
    (config as unknown as Record<string, unknown>)[name] = value;
  }
}
