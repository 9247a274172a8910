import { sha256OfTextSync } from '../key/sha256';
import { warnOnce } from '../warn';
import { SESSION_PART } from './session';
import type { ResolvedOptions } from '../options';

const owners = new Map<string, WeakRef<object>>();
/** `owners` is swept of collected functions when it grows past this: bounded by the live ones. */
let sweepAt = 64;

/**
 * The namespace of a function's persisted entries: `name` if given, else the function's name and
 * a SHA-256 of its source text (so editing the code invalidates old entries), then `version`, then,
 * for per-session caches, the session id (`session`, known once the session is resolved).
 */
export function namespaceOf(fn: (...args: never[]) => unknown, options: ResolvedOptions, session?: string): string {
  const base = options.name ?? `${fn.name || 'anonymous'}#${sha256OfTextSync(fn.toString()).slice(0, 16)}`;
  const shared = `${base}@${options.version}`;
  warnIfShared(shared, fn, options.name !== undefined);
  return options.perSession ? `${shared}${SESSION_PART}${session}` : shared;
}

/** Warns once when two different functions would read and write each other's entries. */
function warnIfShared(ns: string, fn: object, named: boolean): void {
  const owner = owners.get(ns)?.deref();
  if (owner === undefined) {
    owners.set(ns, new WeakRef(fn));
    if (owners.size > sweepAt) {
      for (const [name, ref] of owners) if (ref.deref() === undefined) owners.delete(name);
      sweepAt = Math.max(64, owners.size * 2);
    }
  }
  else if (owner !== fn) {
    warnOnce(
      'SHARED_NAME',
      `shared:${ns}`,
      named
        ? `two different functions were given name "${ns.replace(/@[^@]*$/, '')}" and would share persisted results; give each its own \`name\``
        : `two different functions have the same name and source ("${ns}") and would share persisted results; pass a distinct \`name\` option to each`,
    );
  }
}
