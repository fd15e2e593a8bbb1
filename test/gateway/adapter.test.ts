import { beforeEach, describe, expect, it } from 'vitest';
import { AngelAdapter } from '../../gateway/upstream/adapter.ts';
import { transition, type Lifecycle, type LifecyclePolicy } from '../../gateway/upstream/lifecycle.ts';
import { BrokerUnavailableError, type AdapterDeps } from '../../gateway/upstream/adapter-contract.ts';
import { encodeTick, type Tick } from '../../protocol/smartapi/index.ts';
import { fakeAdapterDeps, FakeClock, FakeSocket } from '../support/gateway-fakes.ts';
import { LogCapture, USER } from '../support/gateway-harness.ts';

const policy: LifecyclePolicy = { maxAttempts: 3, delay: (attempt, rateLimited) => (rateLimited ? 1000 : 100) * attempt };

describe('adapter lifecycle transition', () => {
  it('start begins a cycle from idle or failed and is a no-op while one runs', () => {
    const connecting = transition({ kind: 'idle' }, { type: 'start' }, policy);
    expect(connecting).toEqual({ kind: 'connecting', attempt: 1, failures: 0 });
    expect(transition(connecting, { type: 'start' }, policy)).toBe(connecting);
    expect(transition({ kind: 'failed', attempts: 3 }, { type: 'start' }, policy)).toEqual({ kind: 'connecting', attempt: 1, failures: 0 });
    const open: Lifecycle = { kind: 'open' };
    expect(transition(open, { type: 'start' }, policy)).toBe(open);
  });

  it('a failed attempt backs off (longer after a 429) until the non-429 failures run out', () => {
    expect(transition({ kind: 'connecting', attempt: 1, failures: 0 }, { type: 'lost', rateLimited: false }, policy)).toEqual({
      kind: 'backoff', attempt: 2, failures: 1, delayMs: 200, rateLimited: false,
    });
    expect(transition({ kind: 'connecting', attempt: 2, failures: 1 }, { type: 'lost', rateLimited: true }, policy)).toEqual({
      kind: 'backoff', attempt: 3, failures: 1, delayMs: 3000, rateLimited: true,
    });
    expect(transition({ kind: 'connecting', attempt: 3, failures: 2 }, { type: 'lost', rateLimited: false }, policy)).toEqual({ kind: 'failed', attempts: 3 });
    expect(transition({ kind: 'backoff', attempt: 3, failures: 2, delayMs: 1, rateLimited: false }, { type: 'retry' }, policy)).toEqual({
      kind: 'connecting', attempt: 3, failures: 2,
    });
  });

  it("a refusal's Retry-After lengthens the back-off, never shortens it", () => {
    const connecting: Lifecycle = { kind: 'connecting', attempt: 1, failures: 0 };
    expect(transition(connecting, { type: 'lost', rateLimited: true, retryAfterMs: 7_000 }, policy)).toMatchObject({ kind: 'backoff', delayMs: 7_000 });
    expect(transition(connecting, { type: 'lost', rateLimited: true, retryAfterMs: 500 }, policy)).toMatchObject({ kind: 'backoff', delayMs: 2_000 });
  });

  it('429s never exhaust a cycle: another connection holding the slots frees by itself', () => {
    let state: Lifecycle = { kind: 'connecting', attempt: 1, failures: 0 };
    for (let i = 0; i < 20; i++) {
      state = transition(state, { type: 'lost', rateLimited: true }, policy);
      expect(state.kind).toBe('backoff');
      state = transition(state, { type: 'retry' }, policy);
    }
    expect(state).toEqual({ kind: 'connecting', attempt: 21, failures: 0 });
  });

  it('pause stops a cycle that is connecting or backing off; failed and closed stay', () => {
    expect(transition({ kind: 'backoff', attempt: 2, failures: 0, delayMs: 5, rateLimited: true }, { type: 'pause' }, policy)).toEqual({ kind: 'idle' });
    expect(transition({ kind: 'connecting', attempt: 2, failures: 0 }, { type: 'pause' }, policy)).toEqual({ kind: 'idle' });
    const failed: Lifecycle = { kind: 'failed', attempts: 3 };
    expect(transition(failed, { type: 'pause' }, policy)).toBe(failed);
  });

  it('losing an open socket starts a fresh cycle after a pause; closed is terminal', () => {
    expect(transition({ kind: 'open' }, { type: 'lost', rateLimited: false }, policy)).toEqual({ kind: 'backoff', attempt: 1, failures: 0, delayMs: 100, rateLimited: false });
    const closed = transition({ kind: 'open' }, { type: 'close' }, policy);
    expect(closed).toEqual({ kind: 'closed' });
    expect(transition(closed, { type: 'start' }, policy)).toBe(closed);
  });
});

describe('AngelAdapter with fake sockets and a fake clock', () => {
  let clock: FakeClock;
  let logs: LogCapture;
  let ticks: Tick[];
  let failures: string[];

  function adapter(overrides: Partial<AdapterDeps> = {}): AngelAdapter {
    return new AngelAdapter(USER, {
      ...fakeAdapterDeps(clock, logs),
      maxReconnect: 3,
      heartbeat: { pingMs: 1_000, deadMs: 2_500 },
      listener: { onTick: (_a, tick) => ticks.push(tick), onStatus: () => undefined, onFailed: (_a, message) => failures.push(message) },
      ...overrides,
    });
  }

  const last = (): FakeSocket => FakeSocket.created.at(-1)!;

  beforeEach(() => {
    FakeSocket.created = [];
    clock = new FakeClock();
    logs = new LogCapture();
    ticks = [];
    failures = [];
  });

  it('sends SmartAPI credential headers', () => {
    void adapter().start();
    expect(last().options.headers).toEqual({
      Authorization: `Bearer ${USER.authToken}`,
      'x-api-key': USER.brokerApiKey,
      'x-client-code': USER.clientCode,
      'x-feed-token': USER.feedToken,
    });
  });

  it('concurrent starts share one socket and one promise (single-flight)', async () => {
    const a = adapter();
    const starts = [a.start(), a.start(), a.start()];
    expect(FakeSocket.created).toHaveLength(1);
    last().acceptHandshake();
    await Promise.all(starts);
    expect(a.state).toBe('open');
    expect(a.upstreamConnections()).toBe(1);
  });

  it('429s are retried in the 429 band and never exhaust the cycle; other refusals back off and fail', async () => {
    const statuses: string[] = [];
    const a = adapter({
      listener: {
        onTick: () => undefined,
        onStatus: (_a, status) => statuses.push(status.state + (status.http_status ? ` ${status.http_status} in ${status.retry_in_ms}` : '')),
        onFailed: (_a, message) => failures.push(message),
      },
    });
    const started = a.start();
    for (let i = 0; i < 5; i++) {
      last().refuse(429, 'Invalid Request. Connection Limit Exceeded.');
      // uniform in [300, 500] with random 0.5
      expect(clock.pending()).toEqual([400]);
      clock.advance(400);
    }
    expect(FakeSocket.created).toHaveLength(6);
    expect(a.state).toBe('connecting');
    expect(statuses.slice(0, 3)).toEqual(['connecting', 'refused-retrying 429 in 400', 'connecting']);

    // equal jitter with random 0.5: 3/4 of the step 100·2^(attempt-2), capped at 1000
    last().refuse(401, 'Unauthorized');
    expect(clock.pending()).toEqual([750]);
    clock.advance(750);
    last().refuse(401, 'Unauthorized');
    clock.advance(750);
    last().refuse(401, 'Unauthorized');
    await expect(started).rejects.toBeInstanceOf(BrokerUnavailableError);
    expect(a.state).toBe('failed');
    expect(statuses.at(-1)).toBe('failed');
    expect(failures).toHaveLength(1);
    expect(logs.count('upstream.exhausted')).toBe(1);
    expect(clock.pending()).toEqual([]);

    const again = a.start();
    expect(FakeSocket.created).toHaveLength(9);
    last().acceptHandshake();
    await again;
    expect(a.state).toBe('open');
    expect(statuses.at(-1)).toBe('open');
  });

  it('pause with nobody wanting data cancels the pending retry, and an attempt in flight is not followed up', async () => {
    const a = adapter();
    void a.start().catch(() => undefined);
    last().refuse(429, 'Invalid Request. Connection Limit Exceeded.');
    expect(clock.pending()).toEqual([400]);
    a.pause();
    expect(a.state).toBe('idle');
    expect(clock.pending()).toEqual([]);

    void a.start().catch(() => undefined);
    // The rate-limited floor after the 429 holds across the pause: no second handshake sooner (issue 21).
    expect(FakeSocket.created).toHaveLength(1);
    a.pause();
    expect(a.state).toBe('idle');
    expect(clock.pending()).toEqual([]);
    void a.start().catch(() => undefined);
    clock.advance(400);
    expect(FakeSocket.created).toHaveLength(2);
    a.pause();
    last().refuse(429, 'Invalid Request. Connection Limit Exceeded.');
    expect(a.state).toBe('idle');
    expect(clock.pending()).toEqual([]);
    expect(FakeSocket.created).toHaveLength(2);
  });

  it('replays every subscription, batched per mode and exchange type, after a reconnect', async () => {
    const a = adapter();
    const started = a.start();
    a.subscribe([
      { exchangeType: 1, token: '2885', mode: 1 },
      { exchangeType: 1, token: '3045', mode: 1 },
      { exchangeType: 2, token: '35001', mode: 1 },
      { exchangeType: 1, token: '2885', mode: 3 },
    ]);
    expect(last().sent).toEqual([]);
    last().acceptHandshake();
    await started;
    const firstReplay = last().requests();
    last().drop();
    clock.advance(1_000);
    expect(FakeSocket.created).toHaveLength(2);
    last().acceptHandshake();

    for (const requests of [firstReplay, last().requests()]) {
      expect(requests).toHaveLength(2);
      expect(requests.map((r) => r.params)).toEqual([
        { mode: 1, tokenList: [{ exchangeType: 1, tokens: ['2885', '3045'] }, { exchangeType: 2, tokens: ['35001'] }] },
        { mode: 3, tokenList: [{ exchangeType: 1, tokens: ['2885'] }] },
      ]);
      for (const r of requests) {
        expect(r.action).toBe(1);
        expect(r.correlationID).toHaveLength(10);
      }
    }
  });

  it('pings every interval and reconnects the same adapter after a silence longer than the dead limit', async () => {
    const a = adapter();
    const started = a.start();
    last().acceptHandshake();
    await started;
    clock.advance(1_000);
    expect(last().sent).toEqual(['ping']);
    last().receive('pong');
    clock.advance(1_000);
    clock.advance(1_000);
    expect(FakeSocket.created).toHaveLength(1);
    clock.advance(1_000);
    expect(FakeSocket.created[0]!.terminated).toBe(true);
    expect(logs.count('upstream.dead')).toBe(1);
    clock.advance(1_000);
    expect(FakeSocket.created).toHaveLength(2);
    expect(a.state).toBe('connecting');
  });

  it('decodes binary ticks for the listener and ignores frames that are not ticks', async () => {
    const a = adapter();
    const started = a.start();
    last().acceptHandshake();
    await started;
    last().receive(encodeTick({ mode: 1, exchangeType: 1, token: '2885', sequenceNumber: 1, exchangeTimestamp: 5, lastTradedPrice: 250075 }));
    last().receive(Buffer.from([9, 9, 9]));
    expect(ticks).toEqual([{ mode: 1, exchangeType: 1, token: '2885', sequenceNumber: 1, exchangeTimestamp: 5, lastTradedPrice: 250075 }]);
  });

  it('close during backoff cancels the retry: nothing dials afterwards', async () => {
    const a = adapter();
    const started = a.start();
    last().refuse(429, 'Invalid Request. Connection Limit Exceeded.');
    await a.close();
    await expect(started).rejects.toBeInstanceOf(BrokerUnavailableError);
    clock.advance(60_000);
    expect(FakeSocket.created).toHaveLength(1);
    expect(a.state).toBe('closed');
  });

  it('close of an open adapter resolves once its socket is gone', async () => {
    const a = adapter();
    const started = a.start();
    last().acceptHandshake();
    await started;
    await a.close();
    expect(last().readyState).toBe(3);
    expect(a.upstreamConnections()).toBe(0);
  });
});
