import { describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../verifier/index.ts';
import { oa, stormcheck, tempDirPerTest } from '../support/run-stormcheck.ts';

const tmp = tempDirPerTest();

async function verify(lines: string[], ...args: string[]): Promise<{ code: number; report: VerifyReport }> {
  const file = await tmp.file('openalgo.log', `${lines.join('\n')}\n`);
  const { code, stdout } = await stormcheck(['verify', file, '--reporter', 'json', ...args]);
  return { code, report: JSON.parse(stdout) as VerifyReport };
}

const create = (ms: number) => oa(ms, 'Creating NEW angel adapter for user rajandran', 'INFO', 'broker_factory');
const attempt = (ms: number, n: number) => oa(ms, `Connecting to Angel WebSocket (attempt ${n})`);
const refused = (ms: number) => [
  oa(ms, "Handshake status 429 Too Many Requests -+-+- {'x-error-message': 'Invalid Request. Connection Limit Exceeded.'} -+-+- b'' - goodbye", 'ERROR', '_logging'),
  oa(ms + 1, 'Angel WebSocket error: WebSocketBadStatusException - Handshake status 429 Too Many Requests', 'ERROR'),
];
const teardown = (ms: number) => oa(ms, 'Last client for user rajandran disconnected. Disconnecting angel adapter.', 'INFO', 'server');

describe('stormcheck verify: verdicts that used to be wrong', () => {
  it('a singleton refused by a busy broker, backing off 9-30 s, is a warning, not a storm (exit 0)', async () => {
    const lines = [create(0), ...[0, 9_000, 21_000, 45_000, 75_000].flatMap((t, i) => [attempt(100 + t, i + 1), ...refused(190 + t)]), oa(120_000, 'Heartbeat ok', 'INFO', 'server')];
    const { code, report } = await verify(lines);
    expect(code).toBe(0);
    expect(report.findings.map((f) => [f.rule, f.severity])).toEqual([
      ['broker-429', 'warning'],
      ['connect-unanswered', 'warning'],
    ]);
    expect(report.findings[0].message).toContain('The broker refused 5 handshake(s) for broker angel with 429 Connection Limit Exceeded in 75 s, up to 4 within one minute: backed off, at least 9.0 s apart (below 30 a minute); the limit may be held by another application');
  });

  it('sequential teardown/recreate cycles are churn, not many adapters', async () => {
    const lines = [0, 15_000, 30_000, 45_000].flatMap((t) => [create(t), attempt(t + 5, 1), oa(t + 300, 'Connected to Angel WebSocket'), teardown(t + 10_000)]);
    const { code, report } = await verify(lines);
    expect(code).toBe(1);
    expect(report.findings).toContainEqual(expect.objectContaining({ rule: 'adapter-burst', stormKind: 'churn' }));
    const overlapping = await verify([0, 1_000, 2_000].flatMap((t) => [create(t), attempt(t + 5, 1), oa(t + 300, 'Connected to Angel WebSocket')]));
    expect(overlapping.report.findings).toContainEqual(expect.objectContaining({ rule: 'adapter-burst', stormKind: 'many-adapters' }));
  });

  it('--fail-on info passes a healthy log: reuse is a statistic, not a finding', async () => {
    const lines = [create(0), attempt(5, 1), oa(300, 'Connected to Angel WebSocket'), oa(1_000, 'Reusing existing angel adapter for user rajandran', 'INFO', 'broker_factory')];
    const { code, report } = await verify(lines, '--fail-on', 'info');
    expect(code).toBe(0);
    expect(report.findings).toEqual([]);
    expect(report.statistics.reuse).toEqual([expect.objectContaining({ user: 'rajandran', creations: 1, reuses: 1 })]);
  });

  it("OpenAlgo's log with the SDK's logzero file under --merge: retries after the teardown are a zombie, and count as attempts", async () => {
    const sdk = (ms: number, n: number) => {
      const t = new Date(Date.UTC(2025, 10, 11, 9, 45, 0) + ms).toISOString();
      return `[W ${t.slice(2, 4)}${t.slice(5, 7)}${t.slice(8, 10)} ${t.slice(11, 19)} smartWebSocketV2:319] Attempting to resubscribe/reconnect (Attempt ${n})...`;
    };
    const app = await tmp.file('app.log', `${[create(0), attempt(10, 1), oa(300, 'Connected to Angel WebSocket'), teardown(30_000)].join('\n')}\n`);
    const sdkLog = await tmp.file('smartapi.log', `${[sdk(20_000, 1), sdk(40_000, 2), sdk(60_000, 3)].join('\n')}\n`);
    const apart = await stormcheck(['verify', app, sdkLog, '--reporter', 'json']);
    expect(apart.code).toBe(0);
    const { code, stdout } = await stormcheck(['verify', app, sdkLog, '--merge', '--reporter', 'json']);
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as VerifyReport;
    expect(report.findings).toEqual([expect.objectContaining({ rule: 'zombie-reconnect', severity: 'error', count: 2, broker: 'angel' })]);
    expect(report.findings[0].evidence).toEqual([
      { file: sdkLog, line: 2 },
      { file: sdkLog, line: 3 },
    ]);
    expect(report.timeline).toEqual([
      { minute: '2025-11-11T09:45', creations: 1, attempts: 3, refusals: 0, teardowns: 1 },
      { minute: '2025-11-11T09:46', creations: 0, attempts: 1, refusals: 0, teardowns: 0 },
    ]);
  });
});
