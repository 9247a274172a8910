import { afterLogout, loadDisk, register } from '../registry';

let pageSecret: Uint8Array | undefined;
/** The secret of each database, as read (or made) once per page until a logout. */
const secrets = new Map<string, Promise<Uint8Array>>();

// A logout (this tab's or another's) renews the page's secret and forgets the databases' (emptied
// with them): nothing keyed before a logout can be linked to what is keyed after it.
const renewal = {
  forget() {
    pageSecret = undefined;
    secrets.clear();
  },
};
register(renewal);

/**
 * The secret that keys cachedFetch's request hashes in database `db`, made at random by whichever
 * tab comes first; or, for memory-only storage and while IndexedDB is unavailable, this page's own.
 */
export function secretOf(db: string): Promise<Uint8Array> {
  const own = (pageSecret ??= crypto.getRandomValues(new Uint8Array(32)));
  if (!db) return Promise.resolve(own);
  let secret = secrets.get(db);
  // Read once this page's logout emptied the database: a secret read before would key nothing found after.
  if (!secret) secrets.set(db, (secret = Promise.all([loadDisk(), afterLogout()]).then(async ([module]) => (await module.secret(db)) ?? own)));
  return secret;
}
