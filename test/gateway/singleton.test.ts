import { afterEach, describe, expect, it } from 'vitest';
import type { UserRecord } from '../../gateway/index.ts';
import { startRig, USER, waitFor, type Rig } from '../support/gateway-harness.ts';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const CLIENT_CODE = USER.clientCode;

describe('singleton registry against the mock broker (limit 2)', () => {
  it('50 clients of one user authenticating at once share one adapter and one upstream connection', async () => {
    rig = await startRig();
    const clients = await Promise.all(Array.from({ length: 50 }, () => rig!.connect()));
    const replies = await Promise.all(clients.map((c) => c.authenticateOpen()));

    expect(replies.every((r) => r.type === 'auth' && r.status === 'success')).toBe(true);
    expect(rig.logs.count('adapter.create')).toBe(1);
    expect(rig.logs.count('adapter.reuse')).toBe(49);
    const stats = rig.broker.stats();
    expect(stats.peak[CLIENT_CODE]).toBe(1);
    expect(stats.accepted).toBe(1);
    expect(stats.rejected['429']).toBe(0);
  });

  it('the last client leaving and a new one arriving keeps the same adapter and upstream connection', async () => {
    rig = await startRig();
    const first = await rig.connect();
    await first.authenticateOpen();
    first.ws.close();
    await waitFor(() => rig!.logs.count('client.disconnect') === 1, 'the disconnect to be processed');

    const second = await rig.connect();
    expect((await second.authenticateOpen()).status).toBe('success');
    await second.request({ action: 'subscribe', symbol: 'SBIN', exchange: 'NSE', mode: 'LTP' });
    await waitFor(() => second.marketData().length > 0, 'ticks for the new client');

    expect(rig.logs.count('adapter.create')).toBe(1);
    expect(rig.logs.count('adapter.remove')).toBe(0);
    expect(rig.broker.stats().accepted).toBe(1);
    expect(rig.gateway.health().adapters).toHaveLength(1);
  });

  it('says on each dial line how many clients of the user want the upstream (docs/rules.md#dial-with-no-client)', async () => {
    rig = await startRig();
    const clients = await Promise.all([rig.connect(), rig.connect()]);
    await clients[0].authenticateOpen();
    await clients[1].authenticateOpen();
    rig.broker.inject({ type: 'drop-all' });
    await waitFor(() => rig!.logs.count('upstream.open') === 2, 'the reconnect');

    const dials = rig.logs.records().filter((r) => r.event === 'upstream.connect');
    expect(dials.map((r) => [r.clients, r.msg])).toEqual([
      [1, 'Connecting to Angel WebSocket (attempt 1) for 1 client(s)'],
      [2, 'Connecting to Angel WebSocket (attempt 1) for 2 client(s)'],
    ]);
  });

  it('after the broker drops every connection the same adapter reconnects once and replays subscriptions', async () => {
    rig = await startRig();
    const client = await rig.connect();
    await client.authenticateOpen();
    await client.request({ action: 'subscribe', symbols: [{ symbol: 'RELIANCE', exchange: 'NSE' }, { symbol: 'INFY', exchange: 'NSE' }], mode: 2 });
    await waitFor(() => client.marketData().length > 0, 'ticks before the drop');

    rig.broker.inject({ type: 'drop-all' });
    await waitFor(() => rig!.logs.count('upstream.open') === 2, 'the reconnect');
    const seen = client.marketData().length;
    await waitFor(() => {
      const after = client.marketData().slice(seen);
      return after.some((m) => m.symbol === 'RELIANCE') && after.some((m) => m.symbol === 'INFY');
    }, 'ticks for both symbols after the reconnect');

    const stats = rig.broker.stats();
    expect(stats.accepted).toBe(2);
    expect(stats.peak[CLIENT_CODE]).toBe(1);
    expect(stats.subscriptions[CLIENT_CODE]).toBe(2);
    expect(rig.logs.count('adapter.create')).toBe(1);
    expect(rig.gateway.health().adapters[0]).toMatchObject({ state: 'open', upstreamConnections: 1, subscriptions: 2 });
  });

  it('429 answers are retried at the paced 429 rate on one connection at a time', async () => {
    rig = await startRig();
    rig.broker.inject({ type: 'reject-next', count: 3, status: 429 });
    const client = await rig.connect();
    expect((await client.authenticateOpen()).status).toBe('success');

    const stats = rig.broker.stats();
    expect(stats.rejected['429']).toBe(3);
    expect(stats.accepted).toBe(1);
    expect(stats.peak[CLIENT_CODE]).toBe(1);
    const backoffs = rig.logs.records().filter((r) => r.event === 'upstream.backoff');
    expect(backoffs.map((b) => b.attempt)).toEqual([2, 3, 4]);
    expect(backoffs.every((b) => b.rateLimited === true && (b.delayMs as number) >= 25)).toBe(true);
    expect(rig.logs.count('upstream.rejected')).toBe(3);
    expect(rig.logs.records().filter((r) => r.event === 'upstream.rejected')[0]!.msg).toBe(
      'Angel WebSocket error: Handshake status 429 Connection Limit Exceeded',
    );
  });

  it('after --max-reconnect failed attempts clients get BROKER_ERROR, and the next authenticate starts a new cycle', async () => {
    rig = await startRig({ maxReconnect: 3 });
    rig.broker.inject({ type: 'reject-next', count: 3, status: 401 });
    const client = await rig.connect();
    expect((await client.authenticate()).status).toBe('success');
    expect(await client.brokerState('failed')).toMatchObject({ message: expect.stringContaining('after 3 attempts') });
    expect(await client.nextReply()).toMatchObject({ status: 'error', code: 'BROKER_ERROR' });
    expect(rig.logs.count('upstream.exhausted')).toBe(1);
    expect(rig.logs.records().find((r) => r.event === 'upstream.exhausted')!.msg).toBe('Max reconnection attempts reached. Giving up.');
    expect(rig.gateway.health().adapters[0]!.state).toBe('failed');

    expect((await client.authenticateOpen()).status).toBe('success');
    expect(rig.logs.count('adapter.create')).toBe(1);
    expect(rig.broker.stats().peak[CLIENT_CODE]).toBe(1);
  });

  it('a silent upstream (no data, no pong) is detected and the same adapter reconnects', async () => {
    rig = await startRig();
    const client = await rig.connect();
    await client.authenticateOpen();
    await client.request({ action: 'subscribe', symbol: 'TCS', exchange: 'NSE', mode: 1 });
    await waitFor(() => client.marketData().length > 0, 'ticks before the stall');

    rig.broker.inject({ type: 'stall', ms: 1_500 });
    await waitFor(() => rig!.logs.count('upstream.dead') >= 1, 'dead-upstream detection');
    await waitFor(() => rig!.logs.count('upstream.open') >= 2, 'the reconnect');
    const seen = client.marketData().length;
    await waitFor(() => client.marketData().length > seen, 'ticks after the stall');
    expect(rig.logs.count('adapter.create')).toBe(1);
    expect(rig.broker.stats().peak[CLIENT_CODE]).toBe(1);
  });

  it('logout closes the upstream before a new authenticate creates one fresh adapter', async () => {
    rig = await startRig();
    const client = await rig.connect();
    await client.authenticateOpen();
    await rig.gateway.logout(USER.userId);

    expect(await client.closed()).toBe(4002);
    expect(rig.broker.stats().current[CLIENT_CODE] ?? 0).toBe(0);
    expect(rig.logs.count('adapter.remove')).toBe(1);
    expect(rig.gateway.health().adapters).toHaveLength(0);

    const again = await rig.connect();
    expect((await again.authenticateOpen()).status).toBe('success');
    expect(rig.logs.count('adapter.create')).toBe(2);
    const stats = rig.broker.stats();
    expect(stats.peak[CLIENT_CODE]).toBe(1);
    expect(stats.rejected['429']).toBe(0);
  });

  it('with --linger-ms an adapter without clients is released after the delay', async () => {
    rig = await startRig({ lingerMs: 50 });
    const client = await rig.connect();
    await client.authenticateOpen();
    client.ws.close();
    await waitFor(() => rig!.logs.count('adapter.remove') === 1, 'the lingering adapter to be released');
    await waitFor(() => (rig!.broker.stats().current[CLIENT_CODE] ?? 0) === 0, 'the upstream to close');
    expect(rig.gateway.health().adapters).toHaveLength(0);
  });

  it('one subscription upstream per (token, mode) however many clients hold it, released by the last', async () => {
    rig = await startRig();
    const a = await rig.connect();
    const b = await rig.connect();
    await a.authenticateOpen();
    await b.authenticateOpen();
    await a.request({ action: 'subscribe', symbol: 'RELIANCE', exchange: 'NSE', mode: 1 });
    await b.request({ action: 'subscribe', symbol: 'RELIANCE', exchange: 'NSE', mode: 'ltp' });
    await b.request({ action: 'subscribe', symbol: 'RELIANCE', exchange: 'NSE', mode: 'Quote' });
    await waitFor(() => rig!.broker.stats().subscriptions[CLIENT_CODE] === 2, 'RELIANCE in LTP and Quote upstream');
    expect(rig.gateway.health().adapters[0]!.subscriptions).toBe(2);

    await a.request({ action: 'unsubscribe', symbol: 'RELIANCE', exchange: 'NSE', mode: 1 });
    expect(rig.gateway.health().adapters[0]!.subscriptions).toBe(2);
    expect(rig.broker.stats().subscriptions[CLIENT_CODE]).toBe(2);
    await b.request({ action: 'unsubscribe_all' });
    expect(rig.gateway.health().adapters[0]!.subscriptions).toBe(0);
    await waitFor(() => (rig!.broker.stats().subscriptions[CLIENT_CODE] ?? 0) === 0, 'the token released upstream');
  });

  it('two users get one adapter and one upstream connection each', async () => {
    const other: UserRecord = { ...USER, apiKey: 'oa-key-second', userId: 'trader2', clientCode: 'T2002' };
    rig = await startRig({ users: [USER, other] }, { accounts: undefined });
    const clients = await Promise.all(Array.from({ length: 10 }, () => rig!.connect()));
    await Promise.all(clients.map((c, i) => c.authenticateOpen(i % 2 === 0 ? USER.apiKey : other.apiKey)));

    expect(rig.logs.count('adapter.create')).toBe(2);
    const stats = rig.broker.stats();
    expect(stats.peak).toEqual({ [USER.clientCode]: 1, [other.clientCode]: 1 });
    expect(rig.gateway.health().adapters.map((a) => [a.user, a.clients]).sort()).toEqual([['trader1', 5], ['trader2', 5]]);
    const perUser = rig.logs.records().filter((r) => r.event === 'adapter.active').map((r) => r.userAdapters);
    expect(perUser).toEqual([1, 1]);
  });
});
