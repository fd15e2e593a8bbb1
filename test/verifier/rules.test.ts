import { describe, expect, it } from 'vitest';
import { verifyPaths, type Finding, type VerifyOptions } from '../../verifier/index.ts';
import { oa, tempDirPerTest } from '../support/run-stormcheck.ts';

const tmp = tempDirPerTest();

/** Verifies the lines as one real log file and returns the findings other than info. */
async function judge(lines: string[], options: Partial<VerifyOptions> = {}): Promise<Finding[]> {
  const file = await tmp.file('openalgo.log', `${lines.join('\n')}\n`);
  const report = await verifyPaths([file], options);
  return report.findings.filter((f) => f.severity !== 'info');
}

const rules = (fs: Finding[]) => fs.map((f) => f.rule).sort();
const create = (ms: number, user = 'rajandran') => oa(ms, `Creating NEW angel adapter for user ${user}`, 'INFO', 'broker_factory');
const attempt = (ms: number, n = 1) => oa(ms, `Connecting to Angel WebSocket (attempt ${n})`);
const connected = (ms: number) => oa(ms, 'Connected to Angel WebSocket');
const teardown = (ms: number, user = 'rajandran') =>
  oa(ms, `Last client for user ${user} disconnected. Disconnecting angel adapter.`, 'INFO', 'server');

describe('adapter-burst', () => {
  it('fires on 3 creations for one user within 60 s, with user, broker, evidence and kind', async () => {
    const [f] = await judge([create(0), create(20_000), create(40_000)]);
    expect(f).toMatchObject({ rule: 'adapter-burst', severity: 'error', count: 3, user: 'rajandran', broker: 'angel', stormKind: 'many-adapters' });
    expect(f.evidence).toHaveLength(3);
    expect(f.evidence[0]).toEqual({ file: expect.stringMatching(/openalgo\.log$/), line: 1 });
    expect(f.first).toBe('2025-11-11T09:45:00.000');
    expect(f.last).toBe('2025-11-11T09:45:40.000');
  });

  it('does not fire when the creations are more than the window apart, or for different users', async () => {
    expect(await judge([create(0), teardown(100), create(61_000), teardown(61_100), create(122_000)])).toEqual([]);
    expect(rules(await judge([create(0, 'a'), create(10, 'b'), create(20, 'c'), create(30, 'd')]))).toEqual([]);
  });

  it('follows --window and --burst', async () => {
    const lines = [create(0), teardown(100), create(30_000), teardown(30_100), create(70_000)];
    expect(rules(await judge(lines))).toEqual([]);
    expect(rules(await judge(lines, { windowMs: 120_000 }))).toContain('adapter-burst');
    expect(rules(await judge(lines, { windowMs: 120_000, burst: 3 }))).not.toContain('adapter-burst');
  });

  it('judges per broker when the log names no user (OpenAlgo 2025)', async () => {
    const c = (ms: number) => oa(ms, 'Creating adapter for broker: angel', 'INFO', 'broker_factory');
    const [f] = await judge([c(0), c(1000), c(2000)]);
    expect(f).toMatchObject({ rule: 'adapter-burst', broker: 'angel', count: 3 });
    expect(f.user).toBeUndefined();
  });

  it('does not count the 2026 pooled-adapter wrapper, pool reuse or pool connections within budget', async () => {
    const wrapper = (ms: number) => oa(ms, 'Creating pooled adapter for broker: angel (max 1000 symbols × 3 connections)', 'INFO', 'broker_factory');
    const lines = [
      wrapper(0),
      oa(1, 'Created new connection pool for angel_rajandran: max 1000 symbols × 3 connections', 'INFO', 'broker_factory'),
      oa(2, '[POOL] Creating NEW connection 1/3 for angel', 'INFO', 'connection_pool'),
      oa(3, 'BaseBrokerWebSocketAdapter initializing', 'INFO', 'base_adapter'),
      attempt(4),
      connected(300),
    ];
    for (let i = 1; i <= 10; i++) lines.push(wrapper(i * 500), oa(i * 500 + 1, 'Reusing existing pool for angel_rajandran', 'INFO', 'broker_factory'));
    lines.push(oa(6000, '[POOL] Creating NEW connection 2/3 for angel', 'INFO', 'connection_pool'), oa(6001, 'BaseBrokerWebSocketAdapter initializing', 'INFO', 'base_adapter'), attempt(6002), connected(6300));
    lines.push(oa(6100, '[POOL] Creating NEW connection 3/3 for angel', 'INFO', 'connection_pool'), oa(6101, 'BaseBrokerWebSocketAdapter initializing', 'INFO', 'base_adapter'), attempt(6102), connected(6400));
    expect(await judge(lines)).toEqual([]);
  });

  it('counts a lone BaseBrokerWebSocketAdapter initializing as a creation, but not twice next to its creation line', async () => {
    const init = (ms: number) => oa(ms, 'BaseBrokerWebSocketAdapter initializing', 'INFO', 'base_adapter');
    expect(rules(await judge([init(0), init(10_000), init(20_000), init(30_000)]))).toEqual(['adapter-burst']);
    const paired = [0, 30_000].flatMap((t) => [oa(t, 'Creating adapter for broker: angel', 'INFO', 'broker_factory'), init(t + 2)]);
    expect(await judge(paired)).toEqual([]);
  });
});

describe('connect-storm', () => {
  it('fires on 5 fresh attempts within 1 s after one creation: a runaway retry loop', async () => {
    const lines = [oa(0, 'Creating adapter for broker: angel', 'INFO', 'broker_factory'), attempt(5)];
    for (let i = 0; i < 5; i++) lines.push(attempt(50_000 + i * 100));
    const [f] = await judge(lines);
    expect(f).toMatchObject({ rule: 'connect-storm', severity: 'error', broker: 'angel', stormKind: 'runaway-retry' });
    expect(f.count).toBeGreaterThanOrEqual(5);
  });

  it('does not fire on 4 attempts within 1 s, on 5 spread over seconds, or on retries (attempt 2+)', async () => {
    expect(await judge([0, 100, 200, 300].map((t) => attempt(t)))).toEqual([]);
    expect(await judge([0, 1100, 2200, 3300, 4400].map((t) => attempt(t)))).toEqual([]);
    expect(await judge([0, 100, 200, 300, 400].map((t, i) => attempt(t, i + 2)).concat(connected(500)))).toEqual([]);
  });

  it('does not fire when many users start together, each with its own adapter', async () => {
    const users = ['a', 'b', 'c', 'd', 'e', 'f'];
    const lines = users.flatMap((u, i) => [create(i * 50, u), attempt(i * 50 + 1), connected(i * 50 + 300)]);
    expect(await judge(lines)).toEqual([]);
  });

  it('calls it many adapters when every attempt comes with its own creation for one user', async () => {
    const lines = Array.from({ length: 6 }, (_, i) => [
      JSON.stringify({ level: 30, time: Date.UTC(2025, 10, 11) + i * 100, event: 'adapter.create', user: 'demo', broker: 'angel', msg: 'Creating NEW angel adapter for user demo' }),
      JSON.stringify({ level: 30, time: Date.UTC(2025, 10, 11) + i * 100 + 1, event: 'upstream.connect', user: 'demo', broker: 'angel', msg: 'Connecting to Angel WebSocket (attempt 1)' }),
    ]).flat();
    const storm = (await judge(lines)).find((f) => f.rule === 'connect-storm');
    expect(storm).toMatchObject({ user: 'demo', stormKind: 'many-adapters' });
  });

  it('follows --storm', async () => {
    const lines = [0, 100, 200].map((t) => attempt(t));
    expect(rules(await judge(lines, { storm: 3 }))).toContain('connect-storm');
  });
});

describe('broker-429 and rest-rate-limit', () => {
  const wsClient429 =
    "Handshake status 429 Too Many Requests -+-+- {'content-type': 'text/html', 'x-error-message': 'Invalid Request. Connection Limit Exceeded.'} -+-+- b'<html></html>' - goodbye";

  it('counts the websocket-client 429 line and the adapter error line of one handshake once; one refused handshake alone is a warning', async () => {
    const fs = await judge([create(0), oa(10, wsClient429, 'ERROR', '_logging'), oa(11, 'Angel WebSocket error: Handshake status 429 Connection Limit Exceeded', 'ERROR')]);
    expect(fs.find((f) => f.rule === 'broker-429')).toMatchObject({
      severity: 'warning',
      count: 1,
      broker: 'angel',
      message: expect.stringContaining('refused 1 handshake(s) for broker angel with 429 Connection Limit Exceeded in 0 ms, up to 1 within one minute: backed off'),
    });
  });

  const refusedAttempt = (ms: number, n: number) => [attempt(ms, n), oa(ms + 90, 'Angel WebSocket error: Handshake status 429 Connection Limit Exceeded', 'ERROR')];

  it('is an error at 30 or more refusals a minute, even when spaced', async () => {
    const lines = Array.from({ length: 30 }, (_, i) => refusedAttempt(i * 2_000, i + 1)).flat();
    const f = (await judge(lines)).find((x) => x.rule === 'broker-429');
    expect(f).toMatchObject({ severity: 'error', count: 30, message: expect.stringContaining('up to 30 within one minute: at or above 30 a minute') });
    const spaced = Array.from({ length: 29 }, (_, i) => refusedAttempt(i * 2_100, i + 1)).flat();
    expect((await judge(spaced)).find((x) => x.rule === 'broker-429')).toMatchObject({ severity: 'warning' });
  });

  it('is an error when two refusals come under 1 s apart; a fixed retry every 5 s is not', async () => {
    const f = (await judge([...refusedAttempt(0, 1), ...refusedAttempt(900, 2)])).find((x) => x.rule === 'broker-429');
    expect(f).toMatchObject({ severity: 'error', message: expect.stringContaining('1 of them under 1 s after the one before (closest 900 ms)') });
    const fixed = (await judge([0, 5_000, 10_000, 15_000].flatMap((t, i) => refusedAttempt(t, i + 1)))).find((x) => x.rule === 'broker-429');
    expect(fixed).toMatchObject({ severity: 'warning' });
    expect((await judge([...refusedAttempt(0, 1), ...refusedAttempt(900, 2)], { refusalPairMs: 500 })).find((x) => x.rule === 'broker-429')).toMatchObject({ severity: 'warning' });
  });

  it('is an error when a fresh attempt is refused while the same user holds an open connection', async () => {
    const lines = [
      create(0),
      attempt(10),
      connected(300),
      attempt(20_000),
      oa(20_090, 'Angel WebSocket error: Handshake status 429 Connection Limit Exceeded', 'ERROR'),
    ];
    const f = (await judge(lines)).find((x) => x.rule === 'broker-429');
    expect(f).toMatchObject({ severity: 'error', message: expect.stringContaining('1 while the same user already held the connections its tokens need') });
  });

  it('reports REST throttling apart, as a warning, and never as broker-429', async () => {
    const fs = await judge([
      oa(0, 'HTTP Request: POST https://apiconnect.angelone.in/rest/secure/angelbroking/market/v1/quote/ "HTTP/1.1 429 Too Many Requests"', 'INFO', '_client'),
      oa(10, 'Error: {"message":"Access denied because of exceeding access rate","errorcode":"AB1019"}', 'ERROR', 'quotes'),
    ]);
    expect(rules(fs)).toEqual(['rest-rate-limit']);
    expect(fs[0]).toMatchObject({ severity: 'warning', count: 2 });
  });

  it('is not fooled by 429 in timestamps, volumes or token numbers', async () => {
    const lines = [
      '[2025-11-11 09:45:08,429] INFO in server: Client 429 subscribed',
      oa(10, 'Tick for token: [REDACTED] ltp 1560.26 volume 8079429', 'DEBUG', 'angel_mapping'),
      oa(20, 'Subscribing to token 4291 mode 2'),
    ];
    expect(await judge(lines)).toEqual([]);
  });

  it('counts one 429 per record even when its traceback repeats it', async () => {
    const lines = [
      oa(0, 'Angel WebSocket error: Handshake status 429 Too Many Requests', 'ERROR'),
      'Traceback (most recent call last):',
      '  File "/app/broker/angel/streaming/smartWebSocketV2.py", line 230, in connect',
      'websocket._exceptions.WebSocketBadStatusException: Handshake status 429 Too Many Requests',
    ];
    const [f] = await judge(lines);
    expect(f).toMatchObject({ rule: 'broker-429', count: 1 });
    expect(f.evidence).toEqual([expect.objectContaining({ line: 1 })]);
  });

  it('dates a 429 found only in a traceback by the record above it', async () => {
    const lines = [oa(5000, 'Error in websocket thread', 'ERROR', 'angel_adapter'), 'Traceback (most recent call last):', 'websocket._exceptions.WebSocketBadStatusException: Handshake status 429 Too Many Requests'];
    const [f] = await judge(lines);
    expect(f).toMatchObject({ rule: 'broker-429', count: 1, first: '2025-11-11T09:45:05.000' });
  });
});

describe('multiple-adapters', () => {
  it('fires when a user has two live adapters', async () => {
    const fs = await judge([create(0), create(120_000)]);
    expect(fs.find((f) => f.rule === 'multiple-adapters')).toMatchObject({ user: 'rajandran', count: 1, severity: 'error' });
  });

  it('fires on "Active angel adapters: 2" with one user, not on "3" with three users holding one each', async () => {
    const active = (ms: number, n: number) => oa(ms, `Active angel adapters: ${n}`, 'INFO', 'broker_factory');
    expect(rules(await judge([active(0, 2)]))).toEqual(['multiple-adapters']);
    expect(await judge([create(0, 'a'), active(1, 1), create(10, 'b'), active(11, 2), create(20, 'c'), active(21, 3)])).toEqual([]);
  });

  it('does not fire when the old adapter was removed or torn down first', async () => {
    const removed = oa(1000, 'Removed angel adapter for user rajandran', 'INFO', 'broker_factory');
    expect(await judge([create(0), removed, create(3_600_000)])).toEqual([]);
    expect(await judge([create(0), teardown(1000), create(7_200_000)])).toEqual([]);
    expect(await judge([create(0), oa(1000, 'Invalidated 2 cached pool(s) for user=rajandran', 'INFO', 'auth'), create(9_000_000)])).toEqual([]);
  });
});

describe('adapter-churn', () => {
  const cycle = (t: number) => [create(t), attempt(t + 1), connected(t + 200), teardown(t + 5000)];

  it('fires after 3 teardown-then-create cycles within the window', async () => {
    const lines = [0, 30_000, 60_000, 90_000].flatMap(cycle);
    const churn = (await judge(lines)).find((f) => f.rule === 'adapter-churn');
    expect(churn).toMatchObject({ severity: 'error', count: 3, user: 'rajandran' });
  });

  it('does not fire after 2 cycles, or when the re-creation comes after the window', async () => {
    expect(rules(await judge([0, 30_000, 60_000].flatMap(cycle)))).not.toContain('adapter-churn');
    expect(rules(await judge([0, 3_600_000, 7_200_000, 10_800_000].flatMap(cycle)))).toEqual([]);
  });
});

describe('connect-unanswered', () => {
  it('fires on 3 attempts that no Connected follows within 10 s: an error at 30 a minute, else a warning', async () => {
    const fast = Array.from({ length: 30 }, (_, i) => attempt(i * 1_000, i + 1));
    const [f] = await judge([...fast, oa(90_000, 'Heartbeat ok', 'INFO', 'server')]);
    expect(f).toMatchObject({ rule: 'connect-unanswered', severity: 'error', count: 30, broker: 'angel' });
    const [backedOff] = await judge([attempt(0, 1), attempt(700, 2), attempt(6000, 3), oa(30_000, 'Heartbeat ok', 'INFO', 'server')]);
    expect(backedOff).toMatchObject({ rule: 'connect-unanswered', severity: 'warning', count: 3, message: expect.stringContaining('backed off') });
  });

  it('does not fire when each attempt is answered, or when the log ends before 10 s pass', async () => {
    expect(await judge([attempt(0), connected(300), attempt(60_000), connected(60_300), attempt(120_000), connected(120_400)])).toEqual([]);
    expect(await judge([attempt(0, 1), attempt(2000, 2), attempt(4000, 3)])).toEqual([]);
  });
});

describe('retry-exhausted, auth-failure, reuse statistics', () => {
  it('reports giving up as a warning', async () => {
    const [f] = await judge([attempt(0), connected(200), oa(500, 'Max reconnection attempts reached. Giving up.', 'ERROR')]);
    expect(f).toMatchObject({ rule: 'retry-exhausted', severity: 'warning', count: 1 });
  });

  it('reports 401/403 from the broker as warnings', async () => {
    const fs = await judge([
      oa(0, "Handshake status 401 Unauthorized -+-+- {'x-error-message': 'Invalid Header'} -+-+- b'' - goodbye", 'ERROR', '_logging'),
      oa(10, 'HTTP Request: POST https://apiconnect.angelone.in/rest/secure/angelbroking/order/v1/placeOrder "HTTP/1.1 403 Forbidden"', 'INFO', '_client'),
    ]);
    expect(fs).toHaveLength(1);
    expect(fs[0]).toMatchObject({ rule: 'auth-failure', severity: 'warning', count: 2 });
  });

  it('counts creations against reuses per user as a statistic, not a finding', async () => {
    const file = await tmp.file('r.log', [create(0), ...[1, 2, 3].map((i) => oa(i * 1000, 'Reusing existing angel adapter for user rajandran', 'INFO', 'broker_factory'))].join('\n'));
    const report = await verifyPaths([file]);
    expect(report.findings).toEqual([]);
    expect(report.statistics.reuse).toEqual([{ input: file, user: 'rajandran', broker: 'angel', creations: 1, reuses: 3 }]);
  });
});

describe('rules from a rules file', () => {
  it('fires a pattern rule at its threshold within its window, and not below', async () => {
    const userRules = [{ name: 'zmq-backlog', pattern: /ZMQ queue full/, windowMs: 10_000, threshold: 3, severity: 'warning' as const }];
    const line = (ms: number) => oa(ms, 'ZMQ queue full, dropping tick', 'WARNING', 'zmq_publisher');
    expect(await judge([line(0), line(1000), line(2000)], { userRules })).toEqual([
      expect.objectContaining({ rule: 'zmq-backlog', severity: 'warning', count: 3 }),
    ]);
    expect(await judge([line(0), line(20_000), line(40_000)], { userRules })).toEqual([]);
  });
});

describe('thresholds of zombie-reconnect, forced-reconnect, stale-feed and event-loop-stall', () => {
  const stall = (ms: number) => oa(ms, 'Angel data stall detected - no data for 93.1s (timeout: 90s). Forcing reconnect...', 'ERROR', 'smartWebSocketV2');
  const stale = (ms: number) =>
    oa(ms, 'Stale feed: angel adapter for user rajandran reports connected but no ticks for 95s while subscribed. If this persists, the broker WebSocket may be silently dead (reconnect/restart may be needed).', 'WARNING', 'server');
  const frozen = (ms: number) => oa(ms, 'Connection thread did not terminate within timeout', 'WARNING', 'angel_adapter');
  const sdkRetry = (ms: number, n: number) => oa(ms, `Attempting to resubscribe/reconnect (Attempt ${n})...`, 'WARNING', 'smartWebSocketV2');
  const zombieLog = [create(0), teardown(5_000), sdkRetry(15_000, 1), sdkRetry(25_000, 2)];

  it('defaults: 1 zombie retry, 3 forced reconnects, 1 stale feed, 1 loop stall', async () => {
    expect(rules(await judge(zombieLog))).toEqual(['zombie-reconnect']);
    expect(rules(await judge([stall(0), stall(100_000)]))).toEqual([]);
    expect(rules(await judge([stall(0), stall(100_000), stall(200_000)]))).toEqual(['forced-reconnect']);
    expect(rules(await judge([stale(0)]))).toEqual(['stale-feed']);
    expect(rules(await judge([frozen(0)]))).toEqual(['event-loop-stall']);
  });

  it('each rule fires only from its own threshold on', async () => {
    expect(rules(await judge(zombieLog, { zombieReconnect: 3 }))).toEqual([]);
    expect(rules(await judge(zombieLog, { zombieReconnect: 2 }))).toEqual(['zombie-reconnect']);
    expect(rules(await judge([stall(0), stall(100_000)], { forcedReconnect: 2 }))).toEqual(['forced-reconnect']);
    expect(rules(await judge([stall(0), stall(100_000), stall(200_000)], { forcedReconnect: 4 }))).toEqual([]);
    expect(rules(await judge([stale(0)], { staleFeed: 2 }))).toEqual([]);
    expect(rules(await judge([stale(0), stale(60_000)], { staleFeed: 2 }))).toEqual(['stale-feed']);
    expect(rules(await judge([frozen(0), frozen(1_000)], { eventLoopStall: 3 }))).toEqual([]);
  });
});
