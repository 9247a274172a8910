const warned = new Set<string>();

/** Prints `message` as a console warning once per `topic` per page. */
export function warnOnce(topic: string, message: string): void {
  if (warned.has(topic)) return;
  warned.add(topic);
  console.warn(`idb-memo: ${message}`);
}
