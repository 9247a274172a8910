/**
 * The disk tier, as loaded by {@link loadDisk} on the first `toDisk` use (or by clearCaches() and
 * flushCaches()): an app whose caches stay in memory never downloads it.
 */
export { diskTierFor, flushStores } from './disk-tier';
export { withLock } from './cross-tab';
export { sessionId, sessionReady } from './session';
