import { describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../verifier/index.ts';
import { LogEvent, LogMessage } from '../../gateway/logger.ts';
import { adapter429, connecting, gatewayLine, goodbye429, mockRejected, oa } from '../support/log-shapes.ts';
import { stormcheck, tempDirPerTest } from '../support/run-stormcheck.ts';

const tmp = tempDirPerTest();

async function verify(lines: string[], ...args: string[]): Promise<{ code: number; report: VerifyReport }> {
  const file = await tmp.file('gateway.log', `${lines.join('\n')}\n`);
  const { code, stdout } = await stormcheck(['verify', file, '--reporter', 'json', ...args]);
  return { code, report: JSON.parse(stdout) as VerifyReport };
}

const rulesOf = (report: VerifyReport) => report.findings.map((f) => `${f.rule}:${f.severity}`).sort();

const dial = (ms: number, attempt: number, clients?: number) =>
  gatewayLine(ms, LogEvent.upstreamConnect, LogMessage.upstreamConnect(attempt, clients), { attempt, ...(clients !== undefined && { clients }) });
const refused = (ms: number) => gatewayLine(ms, LogEvent.upstreamRejected, LogMessage.upstreamRejected(429, 'Invalid Request. Connection Limit Exceeded.'), { status: 429 }, 50);
const opened = (ms: number) => gatewayLine(ms, LogEvent.upstreamOpen, LogMessage.upstreamOpen);

describe('retry-after-refusal: a handshake sooner than the back-off floor after a 429 of the same user (issue 21)', () => {
  it('is an error on a log whose lines name the user, with both lines as evidence and the gap the log shows', async () => {
    const { code, report } = await verify([dial(0, 1, 3), refused(2), dial(5, 2, 3), opened(7)]);
    expect(code).toBe(1);
    const f = report.findings.find((x) => x.rule === 'retry-after-refusal');
    expect(f).toMatchObject({ severity: 'error', count: 1, user: 'demo', broker: 'angel' });
    expect(f?.message).toContain('1 handshake(s) for user demo (angel) dialled under 500 ms after the broker refused the one before with 429 (closest 3 ms)');
    expect(f?.evidence.map((e) => e.line)).toEqual([2, 3]);
  });

  it('is silent for a retry at the floor or later, and for a retry after a refusal of another user', async () => {
    expect(rulesOf((await verify([dial(0, 1, 1), refused(2), dial(502, 2, 1), opened(503)])).report)).not.toContain('retry-after-refusal:error');
    const other = gatewayLine(100, LogEvent.upstreamConnect, LogMessage.upstreamConnect(1, 1), { attempt: 1, user: 'someone-else' });
    expect(rulesOf((await verify([dial(0, 1, 1), refused(2), other])).report)).not.toContain('retry-after-refusal:error');
  });

  it('follows --threshold retry-floor', async () => {
    const lines = [dial(0, 1, 1), refused(2), dial(802, 2, 1), opened(803)];
    expect(rulesOf((await verify(lines)).report)).not.toContain('retry-after-refusal:error');
    expect(rulesOf((await verify(lines, '--threshold', 'retry-floor=1s')).report)).toContain('retry-after-refusal:error');
  });

  it("stays silent on OpenAlgo's lines, which name no user: whose retry followed whose refusal they cannot show", async () => {
    const { report } = await verify([connecting(0, 1), adapter429(90), goodbye429(91), connecting(200, 1), oa(260, 'Connected to Angel WebSocket')]);
    expect(rulesOf(report)).not.toContain('retry-after-refusal:error');
  });

  it("stays silent on the mock broker's log, which logs refusals and no attempts", async () => {
    const { report } = await verify([mockRejected(0), mockRejected(300)]);
    expect(rulesOf(report)).not.toContain('retry-after-refusal:error');
  });
});

describe('dial-with-no-client: a handshake dialled while the application logged no client for the user (issue 21)', () => {
  it("is an error on the gateway's dial line that says 0 clients, and counts each such dial", async () => {
    const { code, report } = await verify([dial(0, 1, 2), opened(5), dial(4_000, 1, 0), opened(4_002), dial(9_000, 1, 0)]);
    expect(code).toBe(1);
    const f = report.findings.find((x) => x.rule === 'dial-with-no-client');
    expect(f).toMatchObject({ severity: 'error', count: 2, user: 'demo', broker: 'angel' });
    expect(f?.message).toContain('2 upstream handshake(s) for user demo (angel) dialled while no client of that user was connected');
    expect(f?.evidence.map((e) => e.line)).toEqual([3, 5]);
  });

  it("is silent on dial lines with clients, and on OpenAlgo's and older gateways' lines, which state no count", async () => {
    for (const lines of [[dial(0, 1, 1), opened(5)], [dial(0, 1), opened(5)], [connecting(0, 1), oa(5, 'Connected to Angel WebSocket')]]) {
      expect(rulesOf((await verify(lines)).report)).not.toContain('dial-with-no-client:error');
    }
  });
});
