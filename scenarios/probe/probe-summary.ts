import { ruleCounts } from '../../verifier/reporters/rule-counts.ts';
import type { PageSummary } from '../../verifier/reporters/html/page-model.ts';
import type { ProbeReport } from './probe.ts';

const VERDICT = { pass: 'PASS', fail: 'FAIL', 'cannot-judge': 'CANNOT JUDGE' } as const;

/** The summary band of the probe page: its verdict, each check, and the log's findings per rule. */
export function probeSummary(report: ProbeReport): PageSummary {
  const failed = report.checks.filter((c) => c.status === 'fail').map((c) => c.name);
  return {
    verdict: `${VERDICT[report.verdict]}${failed.length > 0 ? `: ${failed.join('; ')}` : ''}`,
    tone: report.verdict === 'pass' ? 'pass' : report.verdict === 'fail' ? 'fail' : 'neutral',
    facts: [
      `${report.target} as user ${report.user}: scenario ${report.options.scenario}, ${report.options.clients} clients, ${report.options.durationMs / 1000} s, seed ${report.options.seed}`,
      ...report.checks.map((c) => `${c.status}: ${c.source}: ${c.name} (${c.detail})`),
      ...report.couldNotCheck.map((c) => `could not check: ${c}`),
    ],
    ruleCounts: ruleCounts(report.log?.rules ?? []),
    stormKinds: report.log?.stormKinds ?? [],
  };
}

