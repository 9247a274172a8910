import { sha256OfTextSync } from '../key/sha256';
import type { Constructor } from '../key/classes';
import { warnOnce } from '../warn';
import type { ResolvedOptions } from '../options';

const owners = new Map<string, WeakRef<object>>();

/**
 * The namespace of a function's persisted entries: `name` if given, else the function's name and
 * a SHA-256 of its source text (so editing the code invalidates old entries), then `version`, then,
 * for per-session caches, the session id (`session`, known once the session is resolved).
 */
export function namespaceOf(fn: (...args: never[]) => unknown, options: ResolvedOptions, session?: string): string {
  const base = options.name ?? `${fn.name || 'anonymous'}#${sha256OfTextSync(fn.toString()).slice(0, 16)}`;
  const shared = `${base}@${options.version}`;
  warnIfShared(shared, fn, options.name !== undefined);
  return options.perSession ? `${shared}/session:${session}` : shared;
}

/**
 * Why `fn`'s source text cannot name its stored results: a bound function, a native one or a
 * Proxy of a function all read `function … { [native code] }`; undefined for ordinary functions.
 */
export function opaqueSource(fn: Constructor): string | undefined {
  let source: string;
  try {
    source = Function.prototype.toString.call(fn);
  } catch {
    return 'a function whose source cannot be read';
  }
  if (!/\{\s*\[native code\]\s*\}\s*$/.test(source)) return undefined;
  return fn.name.startsWith('bound ') ? `a bound function (${fn.name})` : `a native or proxied function (${fn.name || 'anonymous'})`;
}

/** Warns once when two different functions would read and write each other's entries. */
function warnIfShared(ns: string, fn: object, named: boolean): void {
  const owner = owners.get(ns)?.deref();
  if (owner === undefined) owners.set(ns, new WeakRef(fn));
  else if (owner !== fn) {
    warnOnce(
      `shared:${ns}`,
      named
        ? `two different functions were given name "${ns.replace(/@[^@]*$/, '')}" and would share persisted results; give each its own \`name\``
        : `two different functions have the same name and source ("${ns}") and would share persisted results; pass a distinct \`name\` option to each`,
    );
  }
}
