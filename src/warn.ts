import { isProduction, messageOf, type WarningCode } from './errors';

const warned = new Set<string>();

/** Prints `message` as a console warning ending with its `code` (in production, the code and where it is documented), once per `topic` per page. */
export function warnOnce(code: WarningCode, topic: string, message: string): void {
  if (warned.has(topic)) return;
  warned.add(topic);
  console.warn(isProduction() ? messageOf(code, message) : `idb-memo: ${message} [${code}]`);
}
