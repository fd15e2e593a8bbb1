import { describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../verifier/index.ts';
import { adapter429, connected, connecting, goodbye429, oa } from '../support/log-shapes.ts';
import { stormcheck, tempDirPerTest } from '../support/run-stormcheck.ts';

const tmp = tempDirPerTest();

async function refusalFindings(lines: string[]): Promise<VerifyReport['findings']> {
  const file = await tmp.file('openalgo.log', `${lines.join('\n')}\n`);
  const { stdout } = await stormcheck(['verify', file, '--reporter', 'json']);
  const report = JSON.parse(stdout) as VerifyReport;
  expect(report.timeline.reduce((n, m) => n + m.refusals, 0)).toBe(report.findings.filter((f) => f.rule === 'broker-429').reduce((n, f) => n + f.count, 0));
  return report.findings.filter((f) => f.rule === 'broker-429');
}

/**
 * websocket-client ≥ 1.8 writes its `… - goodbye` line in the same millisecond as the adapter's error line
 * about the same refused handshake, before or after it (issue 21). One handshake counts once, under the
 * broker the adapter's line names.
 */
describe("websocket-client's goodbye line in the same millisecond as the adapter's line", () => {
  it('counts one refusal, under broker angel, when the goodbye comes first and no line before it names a broker', async () => {
    const found = await refusalFindings([goodbye429(1_000), adapter429(1_000), oa(60_000, 'Heartbeat', 'INFO', 'server')]);
    expect(found).toEqual([expect.objectContaining({ count: 1, broker: 'angel' })]);
    expect(found[0].message).toContain('for broker angel');
  });

  it('counts one refusal per handshake whichever line of each pair comes first', async () => {
    const handshakes = [1_000, 7_000, 13_000, 19_000];
    const lines = handshakes.flatMap((t, i) => [connecting(t - 90, i + 1), ...(i % 2 === 0 ? [goodbye429(t), adapter429(t)] : [adapter429(t), goodbye429(t)])]);
    const found = await refusalFindings([...lines, connected(25_000)]);
    expect(found).toEqual([expect.objectContaining({ count: 4, broker: 'angel' })]);
  });

  it('pairs them although the last broker named before was another one', async () => {
    const found = await refusalFindings([oa(0, 'Zerodha WebSocket connected', 'INFO', 'zerodha_websocket'), goodbye429(1_000), adapter429(1_000)]);
    expect(found).toEqual([expect.objectContaining({ count: 1, broker: 'angel' })]);
  });

  it('still counts every goodbye line of a log that has no adapter lines', async () => {
    const found = await refusalFindings([connecting(0, 1), goodbye429(100), connecting(6_000, 2), goodbye429(6_100)]);
    expect(found).toEqual([expect.objectContaining({ count: 2, broker: 'angel' })]);
  });
});
