import type { CheckStatus, ProbeReport } from './probe.ts';

const MARK: Record<CheckStatus, string> = { pass: 'ok  ', fail: 'FAIL', unchecked: '--  ' };
const VERDICT = { pass: 'PASS', fail: 'FAIL', 'cannot-judge': 'CANNOT JUDGE' } as const;

/** The human report of `probe`: verdict first, then the evidence, then what it could not check. */
export function renderProbeReport(report: ProbeReport): string {
  const { options, clients } = report;
  const out = [
    `stormcheck probe ${report.target} — scenario ${options.scenario}, ${options.clients} clients, ${options.durationMs / 1000} s, seed ${options.seed}`,
    `authenticated as user ${report.user || '(not named)'}`,
    `verdict: ${VERDICT[report.verdict]}`,
    '',
    'evidence',
    ...report.checks.map((c) => `  ${MARK[c.status]} ${c.source}: ${c.name} — ${c.detail}`),
    '',
    `clients: ${clients.total} services, ${clients.sessions} connections, ${clients.connectFailures} failed to connect, ` +
      `${clients.ticksDelivered} market_data frames, ${clients.unanswered} requests unanswered`,
  ];
  const { observed } = report;
  if (observed) {
    const ms = (label: string, value: number | undefined) => `${label} ${value === undefined ? 'not seen' : `${value} ms`}`;
    out.push(
      `observed: ${ms('upstream opened', observed.upstreamOpenMs)} after the burst, ${ms('teardown', observed.teardownMs)} after the last client left, ` +
        `${ms('retry sleep', observed.retryMs)} after a drop`,
    );
  }
  const errors = Object.entries(clients.errorCounts);
  if (errors.length) out.push(`error frames: ${errors.map(([code, n]) => `${code} ×${n}`).join(', ')}`);
  if (report.couldNotCheck.length) out.push('', 'could not check', ...report.couldNotCheck.map((line) => `  - ${line}`));
  return out.join('\n') + '\n';
}
