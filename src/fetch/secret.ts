import type { CacheDatabase } from '../disk/connection';
import { storeFor } from '../disk/disk-tier';
import { onClearCaches } from '../registry';

/** Id of the secret record cachedFetch keys its request hashes with. */
const SECRET_ID = 'cachedFetch';
const SECRET_BYTES = 32;

const secrets = new WeakMap<CacheDatabase, Promise<Uint8Array>>();
let pageSecret: Uint8Array | undefined;

/** A fresh random secret. */
const random = () => crypto.getRandomValues(new Uint8Array(SECRET_BYTES));

// clearCaches() renews the page's secret, as it does a database's (deleted with it): nothing keyed
// before a logout can be linked to what is keyed after it.
onClearCaches(async () => {
  pageSecret = undefined;
});

/**
 * The secret of cache database `db`, made at random the first time (by whichever tab comes first),
 * or, for memory-only storage and while IndexedDB is unavailable, this page's own (until its next
 * clearCaches()). A database deleted and made again gets a new one: what was keyed with the old one
 * is then unreachable.
 */
export async function secretOf(db: string): Promise<Uint8Array> {
  pageSecret ??= random();
  if (!db) return pageSecret;
  return storeFor(db).connection.run((database) => {
    let secret = secrets.get(database);
    if (!secret) {
      secrets.set(database, (secret = readOrMake(database)));
      secret.catch(() => secrets.delete(database));
    }
    return secret;
  }, pageSecret);
}

/** Reads the secret, or stores a new one when there is none (or a damaged one), in one transaction. */
async function readOrMake(database: CacheDatabase): Promise<Uint8Array> {
  const tx = database.transaction('secrets', 'readwrite');
  const store = tx.objectStore('secrets');
  const found: unknown = (await store.get(SECRET_ID))?.secret;
  let secret = found instanceof Uint8Array && found.length === SECRET_BYTES ? found : undefined;
  if (!secret) await store.put({ id: SECRET_ID, secret: (secret = random()) });
  await tx.done;
  return secret;
}
