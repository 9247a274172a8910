// Prints the figures of the latest `npm run chaos` (test/artifacts/chaos.json, or the path given)
// as the Markdown tables of docs/reliability.md: `node scripts/chaos-report.mjs [path]`.
import { readFileSync } from 'node:fs';

const path = process.argv[2] ?? 'test/artifacts/chaos.json';
const report = JSON.parse(readFileSync(path, 'utf8'));
const { machine, load } = report;
const n = (value) => (typeof value === 'number' ? value.toLocaleString('en-US') : String(value));
const lines = [];

lines.push(`Run of ${report.date.slice(0, 16).replace('T', ' ')} UTC on ${machine.cores} cores (${machine.cpu}), Node ${machine.node}, Chromium ${machine.chromium} (headless).`);
if (load) {
  const { config, figures: f, events, workloadOps } = load;
  lines.push(
    '',
    `${config.rounds} rounds (seeds ${config.seed}–${config.seed + config.rounds - 1}) of ${config.tabs} tabs × ${n(config.callsPerTab)}+ calls ` +
      `over ${config.keys} keys × ${config.functions.length} functions (${config.functions.join(', ')}), ${config.concurrencyPerTab} calls in flight per tab, ` +
      `${(load.durationMs / 1000).toFixed(0)} s of load in all.`,
    '',
    '| Figure | Count |',
    '| --- | ---: |',
    `| Calls completed (of ${n(f.callsIssued)} issued; ${n(f.interruptedByReload)} cut short by reloads) | ${n(f.calls)} |`,
    `| **Wrong values** (must be 0) | **${n(f.wrongValues)}** |`,
    `| **Calls failed although the function succeeded** (must be 0) | **${n(f.failedCalls)}** |`,
    `| **Unhandled rejections** (must be 0) | **${n(f.unhandledRejections)}** |`,
    `| Page errors | ${n(f.pageErrors)} |`,
    `| Console errors | ${n(f.consoleErrors)} |`,
    `| Stale answers (older than their ttl) | ${n(f.staleTtlAnswers)} |`,
    `| Per-session answers from another tab | ${n(f.perSessionAnsweredByOtherTab)} |`,
    `| Disk audit issues (partial record, wrong value or key, count out of step, over maxItems) | ${n(f.diskAuditIssues)} |`,
    `| The function's own errors delivered to callers (${n(f.functionThrows)} throws) | ${n(f.functionErrorsDelivered)} |`,
    `| Computations | ${n(f.computations)} |`,
    `| Computations saved (calls − computations) | ${n(f.computationsSaved)} |`,
    `| … of which answered with another tab's result (IndexedDB or cross-tab lock) | ${n(f.answeredByAnotherTab)} |`,
    `| Page loads (reloads included) | ${n(f.pageLoads)} |`,
    '',
    `Chaos events: ${Object.entries(events).map(([k, v]) => `${k} ${v}`).join(', ')}; from the workload: ${n(workloadOps.delete)} deletes.`,
  );
  const warnings = Object.entries(load.warnings ?? {});
  if (warnings.length) {
    lines.push('', 'Warnings printed by the library (once per page and kind):', '');
    for (const [text, count] of warnings) lines.push(`- ${count} × \`${text.replaceAll('`', "'")}\``);
  }
}
if (report.crashSafety) {
  lines.push('', '| Crash safety | Stored at the kill | Read back whole | Recomputed | Broken |', '| --- | ---: | ---: | ---: | ---: |');
  for (const [how, c] of Object.entries(report.crashSafety)) {
    lines.push(`| page ${how} mid-burst (${c.keys} × ${c.bytesPerValue / 1024} KB) | ${c.storedAtKill} | ${c.wholeFromDisk} | ${c.recomputed} | ${c.broken + c.rawIssues.length} |`);
  }
}
if (report.scenarios) {
  lines.push('', '| Scenario | Outcome |', '| --- | --- |');
  for (const [name, outcome] of Object.entries(report.scenarios)) lines.push(`| ${name.replaceAll('|', '\\|')} | ${outcome.replaceAll('|', '\\|')} |`);
}
console.log(lines.join('\n'));
