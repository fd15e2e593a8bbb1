import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { Finding, VerifyReport } from '../../verifier/index.ts';
import {
  adapter429,
  connected,
  connecting,
  createAdapter2025,
  createNew,
  errorsJsonl,
  goodbye429,
  lastClient,
  mockRejected,
  oa,
  peakWithin,
  reconnectingIn,
  restThrottled,
  sdkRetry,
  stall,
} from '../support/log-shapes.ts';
import { stormcheck, tempDirPerTest } from '../support/run-stormcheck.ts';

const tmp = tempDirPerTest();

/** Runs the built CLI on a log of these lines; returns the exit code, the JSON report and the text report. */
async function verify(lines: string[], ...args: string[]): Promise<{ code: number; report: VerifyReport; text: string; file: string }> {
  return verifyFile('openalgo.log', lines, ...args);
}

async function verifyFile(name: string, lines: string[], ...args: string[]): Promise<{ code: number; report: VerifyReport; text: string; file: string }> {
  const file = await tmp.file(name, `${lines.join('\n')}\n`);
  const json = await stormcheck(['verify', file, '--reporter', 'json', ...args]);
  const text = await stormcheck(['verify', file, ...args]);
  return { code: json.code, report: JSON.parse(json.stdout) as VerifyReport, text: text.stdout, file };
}

function only(report: VerifyReport, rule: string): Finding {
  const found = report.findings.filter((f) => f.rule === rule);
  expect(found, `findings of ${rule}: ${JSON.stringify(report.findings.map((f) => [f.rule, f.severity, f.message]))}`).toHaveLength(1);
  return found[0];
}

/** Times of n events `stepMs` apart from `from`. */
const every = (n: number, stepMs: number, from = 0) => Array.from({ length: n }, (_, i) => from + i * stepMs);

describe('verify counts one refusal per handshake, pairing lines by template (issue 21)', () => {
  it("the mock broker's own log: 7681 refusals counted as 7681, with the real per-minute peak", async () => {
    // 7681 refusals over about 4 minutes, in bursts as a legacy runaway hammers the broker.
    const times = every(7681, 31).map((t) => t + (t % 3));
    const { code, report } = await verify(times.map((t) => mockRejected(t)));
    expect(code).toBe(1);
    const f = only(report, 'broker-429');
    expect(f).toMatchObject({ severity: 'error', count: 7681, user: 'SINGLE1', broker: 'angel' });
    const peak = peakWithin(times, 60_000);
    expect(f.message).toContain(`refused 7681 handshake(s) for user SINGLE1 (angel) with 429 Connection Limit Exceeded in 238 s, up to ${peak} within one minute`);
    expect(report.timeline.reduce((n, m) => n + m.refusals, 0)).toBe(7681);
  });

  it("websocket-client's goodbye line and the adapter's error line of one handshake count once, even when the goodbyes come together at the end", async () => {
    // OpenAlgo 2025: the adapter's error callback runs first, the SDK retries nested inside it, and
    // websocket-client's goodbye lines of all five handshakes come as the stack unwinds.
    const attempts = every(5, 12_000, 1_000);
    const lines = [
      createAdapter2025(0),
      ...attempts.flatMap((t, i) => [connecting(t, 1), adapter429(t + 90), sdkRetry(t + 100, i + 1)]),
      ...attempts.map(() => goodbye429(62_000)),
      oa(120_000, 'Heartbeat', 'INFO', 'server'),
    ];
    const { report } = await verify(lines);
    const f = only(report, 'broker-429');
    expect(f.count).toBe(5);
    expect(f.message).toContain('refused 5 handshake(s) for broker angel with 429 Connection Limit Exceeded in 48 s, up to 5 within one minute');
    expect(report.timeline.reduce((n, m) => n + m.refusals, 0)).toBe(5);
  });

  it('"refused 3118 in 5.8 s, up to 3118 within one minute": the message states what the log holds', async () => {
    const times = every(3118, 5_800 / 3117);
    const { report } = await verify([createAdapter2025(0), ...times.map((t) => goodbye429(Math.round(t) + 10))]);
    const f = only(report, 'broker-429');
    expect(f).toMatchObject({ severity: 'error', count: 3118 });
    expect(f.message).toContain('refused 3118 handshake(s) for broker angel with 429 Connection Limit Exceeded in 5.8 s, up to 3118 within one minute');
  });
});

describe('broker-429 and connect-unanswered: errors and warnings (issue 21)', () => {
  it('two distinct 429s 0.4-0.7 s apart are an error: parallel connectors or no back-off', async () => {
    const lines = [createAdapter2025(0), connecting(1_000, 1), goodbye429(1_090), adapter429(1_091), connecting(1_500, 2), goodbye429(1_590), adapter429(1_591), connected(20_000)];
    const { code, report } = await verify(lines);
    expect(code).toBe(1);
    const f = only(report, 'broker-429');
    expect(f).toMatchObject({ severity: 'error', count: 2 });
    expect(f.message).toContain('1 of them under 1 s after the one before (closest 500 ms)');
  });

  it('a first retry 0.5-1 s after a plain connection failure is fine for connect-unanswered', async () => {
    const failed = (ms: number) => oa(ms, 'Connection failed: [Errno 111] Connection refused. Retrying in 5 seconds...', 'ERROR');
    const lines = [createAdapter2025(0), connecting(0, 1), failed(50), connecting(700, 2), failed(750), connecting(6_000, 3), failed(6_050), connecting(16_000, 4), failed(16_050), oa(40_000, 'Heartbeat', 'INFO', 'server')];
    const { code, report } = await verify(lines);
    expect(code).toBe(0);
    expect(only(report, 'connect-unanswered')).toMatchObject({ severity: 'warning', count: 4 });
  });

  it('refusals sustained at 30 a minute are an error; a fixed retry every ~5 s (12 a minute) is a warning', async () => {
    const at = (times: number[]) => [createAdapter2025(0), ...times.flatMap((t, i) => [connecting(t, i + 1), adapter429(t + 80), goodbye429(t + 81)]), oa(200_000, 'Heartbeat', 'INFO', 'server')];
    const fast = await verify(at(every(35, 2_000, 1_000)));
    expect(only(fast.report, 'broker-429')).toMatchObject({ severity: 'error', count: 35 });
    expect(only(fast.report, 'broker-429').message).toContain(`up to ${peakWithin(every(35, 2_000, 1_000), 60_000)} within one minute: at or above 30 a minute`);
    const fixed = await verify(at(every(12, 5_000, 1_000)));
    expect(fixed.code).toBe(0);
    const f = only(fixed.report, 'broker-429');
    expect(f).toMatchObject({ severity: 'warning', count: 12 });
    expect(f.message).toContain('in 55 s, up to 12 within one minute: backed off, at least 5.0 s apart (below 30 a minute)');
    expect(only(fixed.report, 'connect-unanswered').severity).toBe('warning');
  });

  it('connect-unanswered: 30 attempts a minute that never connect, with no 429 printed (websocket-client 1.2.3), are an error', async () => {
    const times = every(32, 1_900, 1_000);
    const { code, report } = await verify([createAdapter2025(0), ...times.map((t, i) => connecting(t, i + 1)), oa(120_000, 'Heartbeat', 'INFO', 'server')]);
    expect(code).toBe(1);
    const f = only(report, 'connect-unanswered');
    expect(f).toMatchObject({ severity: 'error', count: 32 });
    expect(f.message).toContain(`32 upstream connection attempt(s) for broker angel in 59 s, up to ${peakWithin(times, 60_000)} within one minute, got no "Connected" within 10 s`);
  });

  it("OpenAlgo 2026's back-off (5, 10, 20, 40, 60 s) is a warning", async () => {
    const lines = [createNew(0)];
    let t = 1_000;
    for (const [i, delay] of [5, 10, 20, 40, 60].entries()) {
      lines.push(connecting(t, i + 1), goodbye429(t + 90), oa(t + 91, 'Angel WebSocket connection closed'), reconnectingIn(t + 92, delay, i + 1));
      t += delay * 1000 + 100;
    }
    lines.push(oa(t + 60_000, 'Heartbeat', 'INFO', 'server'));
    const { code, report } = await verify(lines);
    expect(code).toBe(0);
    expect(only(report, 'broker-429')).toMatchObject({ severity: 'warning', count: 5 });
  });

  it('a refusal while the user holds the connection its tokens need is an error; within a pool its tokens need, it is not', async () => {
    const user = (ms: number, message: string, level = 'INFO') => oa(ms, message, level, 'angel_adapter');
    const base = [createNew(0), connecting(100, 1), connected(300)];
    const over = await verify([...base, user(400, 'Batch subscribed 800 tokens in mode 2 across 1 exchange-type group(s)'), connecting(10_000, 1), goodbye429(10_090), adapter429(10_091)]);
    expect(only(over.report, 'broker-429')).toMatchObject({ severity: 'error', count: 1 });
    expect(only(over.report, 'broker-429').message).toContain('1 while the same user already held the connections its tokens need');
    const pooled = await verify([...base, user(400, 'Batch subscribed 1800 tokens in mode 2 across 1 exchange-type group(s)'), connecting(10_000, 1), goodbye429(10_090), adapter429(10_091)]);
    expect(only(pooled.report, 'broker-429').severity).toBe('warning');
  });

  it('every threshold is settable by name; a bad name or value exits 2 naming it', async () => {
    const lines = [createAdapter2025(0), ...every(12, 5_000, 1_000).flatMap((t, i) => [connecting(t, i + 1), adapter429(t + 80)]), oa(200_000, 'Heartbeat', 'INFO', 'server')];
    const strict = await verify(lines, '--threshold', 'refusal-rate=10');
    expect(strict.code).toBe(1);
    expect(strict.report.thresholds).toMatchObject({ refusalRate: 10, refusalPairMs: 1_000, forcedReconnectSpanMs: 900_000 });
    const file = await tmp.file('x.log', `${lines.join('\n')}\n`);
    const bad = await stormcheck(['verify', file, '--threshold', 'refusal-rat=10']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--threshold refusal-rat=10: write NAME=VALUE with NAME one of window, burst');
    const badValue = await stormcheck(['verify', file, '--threshold', 'refusal-pair=soon']);
    expect(badValue.code).toBe(2);
    expect(badValue.stderr).toContain("--threshold refusal-pair must be a duration such as 500ms, 1s or 15m, got 'soon'");
  });
});

describe('forced-reconnect: periodic is an error, sporadic a warning (issue 21)', () => {
  it("OpenAlgo 2026-08's stall watchdog every ~111 s for an hour is an error with its count", async () => {
    const times = every(32, 111_000, 5_000);
    const { code, report } = await verify([createNew(0), ...times.map((t) => stall(t, 93.1))]);
    expect(code).toBe(1);
    const f = only(report, 'forced-reconnect');
    expect(f).toMatchObject({ severity: 'error', count: 32, stormKind: 'churn' });
    expect(f.message).toContain(`forced 32 reconnects for broker angel, a median 111 s apart, up to ${peakWithin(times, 900_000)} within 15 min: periodic`);
  });

  it('three in an hour, 20 minutes apart, stay a warning', async () => {
    const { code, report } = await verify([createNew(0), stall(600_000, 93.1), stall(1_800_000, 95.4), stall(3_000_000, 91.0)]);
    expect(code).toBe(0);
    expect(only(report, 'forced-reconnect')).toMatchObject({ severity: 'warning', count: 3 });
    expect(only(report, 'forced-reconnect').message).toContain('a median 1200 s apart, up to 1 within 15 min: sporadic');
  });
});

describe('zombie-reconnect needs interleaved evidence (issue 21)', () => {
  it("a counter restarting under a new SDK instance from OpenAlgo 2026's own reconnect loop is no zombie", async () => {
    const lines = [createNew(0), connecting(100, 1), connected(400)];
    let t = 10_000;
    for (let round = 1; round <= 3; round++) {
      for (let n = 1; n <= 5; n++) lines.push(sdkRetry(t + n * 10_000, n));
      t += 60_000;
      lines.push(oa(t, 'Angel WebSocket error: Max retry attempt reached - Connection closed', 'ERROR'), oa(t + 10, 'Angel WebSocket connection closed'), reconnectingIn(t + 20, 5 * 2 ** (round - 1), round));
      t += 5_000 * 2 ** (round - 1);
      lines.push(connecting(t, round + 1));
    }
    const { report } = await verify(lines);
    expect(report.findings.filter((f) => f.rule === 'zombie-reconnect')).toEqual([]);
  });

  it('retry counters of two SDK instances counting at once are a zombie', async () => {
    const lines = [createNew(0), connecting(100, 1), connected(400), sdkRetry(10_000, 1), sdkRetry(12_000, 1), sdkRetry(20_000, 2), sdkRetry(22_000, 2)];
    const { code, report } = await verify(lines);
    expect(code).toBe(1);
    expect(only(report, 'zombie-reconnect')).toMatchObject({ severity: 'error', count: 1 });
  });

  it("a retry after its adapter's teardown line is a zombie", async () => {
    const lines = [createNew(0), connecting(100, 1), connected(400), sdkRetry(10_000, 1), lastClient(15_000), sdkRetry(20_000, 2)];
    const { report } = await verify(lines);
    expect(only(report, 'zombie-reconnect')).toMatchObject({ severity: 'error', count: 1 });
    expect(only(report, 'zombie-reconnect').message).toContain('after its last adapter was torn down');
  });

  it("the refused handshake of an SDK retry whose sleep spanned the teardown is a zombie; the app's own attempt in flight is not", async () => {
    const zombie = await verify([createNew(0), connecting(100, 1), goodbye429(200), sdkRetry(200, 1), lastClient(3_000), goodbye429(10_200)]);
    expect(only(zombie.report, 'zombie-reconnect')).toMatchObject({ severity: 'error', count: 1 });
    const inFlight = await verify([createNew(0), connecting(100, 1), goodbye429(200), connecting(5_000, 2), lastClient(5_010), goodbye429(5_090)]);
    expect(inFlight.report.findings.filter((f) => f.rule === 'zombie-reconnect')).toEqual([]);
  });
});

describe('a storm kind is named only from lines that show it (issue 21)', () => {
  it('no teardown lines: no churn', async () => {
    // Each creation names its user; the attempts name none, so no line shows how many were alive at once.
    const pool = (ms: number) => oa(ms, 'Created new connection pool for angel_rajandran: max 1000 symbols × 3 connections', 'INFO', 'broker_factory');
    const lines = every(6, 150).flatMap((t) => [pool(t), connecting(t + 5, 1)]);
    const { report, text } = await verify(lines);
    expect(report.findings.some((f) => f.stormKind === 'churn')).toBe(false);
    expect(text).not.toContain('torn down');
  });

  it('teardown lines between the creations: churn', async () => {
    const lines = every(4, 10_000).flatMap((t) => [createNew(t), connecting(t + 5, 1), connected(t + 300), lastClient(t + 5_000)]);
    const { report } = await verify(lines);
    expect(report.findings).toContainEqual(expect.objectContaining({ rule: 'adapter-burst', stormKind: 'churn' }));
  });
});

describe('vocabulary of the third round (issue 21)', () => {
  it("AngelOne's REST throttling loop without a 429 is rest-rate-limit, not broker-429", async () => {
    const times = [0, 450, 1_100, 1_300, 2_100, 2_600, 3_400];
    const { report } = await verify([createNew(0), ...times.flatMap((t) => restThrottled(t + 1_000))], '--fail-on', 'warning');
    expect(only(report, 'rest-rate-limit')).toMatchObject({ severity: 'warning', count: 7 });
    expect(report.findings.filter((f) => f.rule === 'broker-429')).toEqual([]);
  });

  it("OpenAlgo's log/errors.jsonl is read; a verdict from it alone says creation and churn cannot be judged", async () => {
    const lines = every(40, 1_500).map((t) => errorsJsonl(t, 'Angel WebSocket error: Handshake status 429 Too Many Requests'));
    const { code, report, text, file } = await verifyFile('errors.jsonl', lines);
    expect(code).toBe(1);
    expect(only(report, 'broker-429')).toMatchObject({ severity: 'error', count: 40 });
    expect(report.groups[0].cannotJudge).toContain('adapter creation, teardown and churn');
    expect(text).toContain(`${file}: OpenAlgo's log/errors.jsonl holds ERROR lines only: adapter creation, teardown and churn`);
    const page = `${file}.html`;
    await stormcheck(['verify', file, '--reporter', `html=${page}`]);
    expect(await readFile(page, 'utf8')).toContain(`<li>${file}: OpenAlgo&#39;s log/errors.jsonl holds ERROR lines only`);
    const full = await verify([createNew(0), ...lines.slice(0, 2).map(() => oa(5, 'Heartbeat', 'INFO', 'server'))]);
    expect(full.report.groups[0].cannotJudge).toBeUndefined();
  });
});
