import { ruleCounts } from '../../verifier/reporters/rule-counts.ts';
import type { PageSummary } from '../../verifier/reporters/html/page-model.ts';
import { peakText } from './peak-text.ts';
import type { ReproduceReport } from './reproduce.ts';

/** The summary band of the reproduce page: its verdict, each mode's broker totals, and its findings per rule. */
export function reproduceSummary(report: ReproduceReport): PageSummary {
  const { options, modes } = report;
  const failed = report.expectations.filter((e) => !e.met).map((e) => `${e.mode}: ${e.name}`);
  return {
    verdict: report.pass ? `PASS: all ${report.expectations.length} expectations met` : `FAIL: ${failed.join('; ')}`,
    tone: report.pass ? 'pass' : 'fail',
    facts: [
      `scenario ${options.scenario}, ${options.clients} clients, ${options.durationMs / 1000} s per mode, seed ${options.seed}, broker limit ${options.limit}`,
      ...modes.map(
        (m) =>
          `${m.mode}: peak ${peakText(m)} upstream connection(s), ${m.broker.connectionAttempts} handshake(s), ` +
          `${m.broker.rejected429} × 429, ${m.gateway.adaptersCreated} adapter(s) created, ${m.clients.withoutData.length} of ${m.clients.subscribing} client(s) without data`,
      ),
    ],
    ruleCounts: modes.flatMap((m) => ruleCounts(m.verifier.rules).map((r) => ({ ...r, rule: `${m.mode}: ${r.rule}` }))),
    stormKinds: [...new Set(modes.flatMap((m) => m.verifier.stormKinds.map((k) => `${k} (${m.mode})`)))],
  };
}

