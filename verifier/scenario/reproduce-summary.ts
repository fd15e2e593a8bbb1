import type { PageSummary } from '../reporters/html/page-model.ts';
import type { ReproduceReport } from './reproduce.ts';

/** The summary band of the reproduce page: its verdict, each mode's broker totals, and its findings per rule. */
export function reproduceSummary(report: ReproduceReport): PageSummary {
  const { options, modes } = report;
  const failed = report.expectations.filter((e) => !e.met).map((e) => `${e.mode}: ${e.name}`);
  return {
    verdict: report.pass ? 'PASS: every expectation met (legacy stormed, singleton clean)' : `FAIL: ${failed.join('; ')}`,
    tone: report.pass ? 'pass' : 'fail',
    facts: [
      `scenario ${options.scenario}, ${options.clients} clients, ${options.durationMs / 1000} s per mode, seed ${options.seed}, broker limit ${options.limit}`,
      ...modes.map(
        (m) =>
          `${m.mode}: peak ${m.broker.peakConnections} upstream connection(s), ${m.broker.connectionAttempts} handshake(s), ` +
          `${m.broker.rejected429} × 429, ${m.gateway.adaptersCreated} adapter(s) created, ${m.clients.withoutData.length} of ${m.clients.subscribing} client(s) without data`,
      ),
    ],
    ruleCounts: modes.flatMap((m) => findingsPerRule(m.mode, m.verifier.rules)),
    stormKinds: [...new Set(modes.flatMap((m) => m.verifier.stormKinds.map((k) => `${k} (${m.mode})`)))],
  };
}

function findingsPerRule(mode: string, rules: { rule: string; severity: string }[]): PageSummary['ruleCounts'] {
  const counts = new Map<string, PageSummary['ruleCounts'][number]>();
  for (const r of rules) {
    const c = counts.get(r.rule) ?? { rule: `${mode}: ${r.rule}`, severity: r.severity, count: 0 };
    c.count++;
    counts.set(r.rule, c);
  }
  return [...counts.values()];
}
