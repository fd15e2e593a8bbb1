import { afterEach, describe, expect, it } from 'vitest';
import { startMockBroker, type MockBroker, type MockBrokerOptions } from '../../mock-broker/index.ts';
import { AUTH_ERROR_MESSAGES, CONNECTION_LIMIT_MESSAGE } from '../../protocol/smartapi/index.ts';
import { ACCOUNT_A, ACCOUNT_B, closeAllClients, connect, handshake, sdkHeaders, waitFor } from '../support/mock-broker-client.ts';

let broker: MockBroker | undefined;
let logLines: string[] = [];

async function start(options: MockBrokerOptions = {}): Promise<MockBroker> {
  logLines = [];
  broker = await startMockBroker({
    port: 0,
    tickMs: 20,
    logDestination: { write: (line: string) => void logLines.push(line) },
    ...options,
  });
  return broker;
}

afterEach(async () => {
  closeAllClients();
  await broker?.close();
  broker = undefined;
});

async function admin(b: MockBroker, method: string, path: string, body?: string): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${b.adminUrl}${path}`, { method, body, headers: body ? { 'content-type': 'application/json' } : {} });
  return { status: res.status, json: await res.json() };
}

const ltp = (tokens: string[]) => ({ correlationID: 'c', action: 1, params: { mode: 1, tokenList: [{ exchangeType: 1, tokens }] } });

describe('mock broker admin API', () => {
  it('GET /__admin/stats returns exactly the MockBrokerStats shape, matching what happened', async () => {
    const b = await start();
    const a1 = await connect(b.url, ACCOUNT_A);
    await connect(b.url, ACCOUNT_A);
    await connect(b.url, ACCOUNT_B);
    await handshake(b.url, sdkHeaders(ACCOUNT_A));
    await handshake(b.url, {});
    a1.send(ltp(['2885', '3045']));
    await waitFor(() => a1.ticks.length >= 2, 'ticks');

    const { status, json } = await admin(b, 'GET', '/__admin/stats');

    expect(status).toBe(200);
    const stats = json as Record<string, unknown>;
    expect(Object.keys(stats).sort()).toEqual(['accepted', 'current', 'limit', 'orderUpdates', 'peak', 'rejected', 'subscriptions', 'ticksSent']);
    expect(stats).toMatchObject({
      limit: 2,
      current: { A123: 2, B456: 1 },
      peak: { A123: 2, B456: 1 },
      accepted: 3,
      rejected: { '401': 1, '429': 1 },
      subscriptions: { A123: 2, B456: 0 },
    });
    expect(stats.ticksSent).toBeGreaterThanOrEqual(2);
    expect(stats).toEqual({ ...b.stats(), ticksSent: stats.ticksSent });
  });

  it('GET /__admin/events returns the connection timeline in order', async () => {
    const clock = { now: 1000 };
    const b = await start({ clock: () => ++clock.now });
    const first = await connect(b.url);
    await connect(b.url);
    await handshake(b.url, sdkHeaders(ACCOUNT_A));
    await first.close();
    await waitFor(() => b.stats().current.A123 === 1, 'the close');

    const { status, json } = await admin(b, 'GET', '/__admin/events');

    expect(status).toBe(200);
    expect(json).toEqual([
      { type: 'accepted', time: 1001, endpoint: 'smart-stream', clientCode: 'A123', connectionId: 1, count: 1 },
      { type: 'accepted', time: 1002, endpoint: 'smart-stream', clientCode: 'A123', connectionId: 2, count: 2 },
      { type: 'rejected', time: 1003, endpoint: 'smart-stream', clientCode: 'A123', status: 429, reason: 'connection limit', count: 2 },
      { type: 'closed', time: 1004, endpoint: 'smart-stream', clientCode: 'A123', connectionId: 1, count: 1, reason: 'client closed (1005)' },
    ]);
  });

  it('reject-next refuses the next N handshakes with the given status, then admits again', async () => {
    const b = await start();

    const injected = await admin(b, 'POST', '/__admin/faults', JSON.stringify({ type: 'reject-next', count: 2 }));
    const first = await handshake(b.url, sdkHeaders(ACCOUNT_A));
    const second = await handshake(b.url, sdkHeaders(ACCOUNT_B));
    const third = await handshake(b.url, sdkHeaders(ACCOUNT_A));
    b.inject({ type: 'reject-next', count: 1, status: 401 });
    const fourth = await handshake(b.url, sdkHeaders(ACCOUNT_A));

    expect(injected.status).toBe(200);
    expect(first).toMatchObject({ ok: false, status: 429, errorMessage: CONNECTION_LIMIT_MESSAGE });
    expect(second).toMatchObject({ ok: false, status: 429 });
    expect(third.ok).toBe(true);
    expect(fourth).toMatchObject({ ok: false, status: 401, errorMessage: AUTH_ERROR_MESSAGES.header });
    expect(b.stats().rejected).toEqual({ '401': 1, '429': 2 });
  });

  it('drop-all closes every connection now and frees every slot', async () => {
    const b = await start();
    const clients = [await connect(b.url, ACCOUNT_A), await connect(b.url, ACCOUNT_A), await connect(b.url, ACCOUNT_B)];

    const { status, json } = await admin(b, 'POST', '/__admin/faults', '{"type":"drop-all"}');

    expect(status).toBe(200);
    expect(json).toEqual({ status: 'ok', fault: { type: 'drop-all', mode: 'abort' }, affected: 3, affectedByClientCode: { A123: 2, B456: 1 }, id: '1', active: false });
    expect(b.stats().current).toEqual({ A123: 0, B456: 0 });
    await waitFor(() => clients.every((c) => c.closed), 'clients to see the drop');
    await connect(b.url, ACCOUNT_A);
    await connect(b.url, ACCOUNT_A);
    expect(b.events().filter((e) => e.type === 'closed').map((e) => (e as { reason: string }).reason)).toEqual([
      'drop-all fault (abort)',
      'drop-all fault (abort)',
      'drop-all fault (abort)',
    ]);
  });

  it('stall stops pongs and ticks for its duration, then both resume', async () => {
    const b = await start();
    const client = await connect(b.url);
    client.send(ltp(['2885']));
    await waitFor(() => client.ticks.length >= 1, 'ticks before the stall');

    const stalledAt = Date.now();
    b.inject({ type: 'stall', ms: 1500 });
    client.send('ping');
    client.ws.ping('during');
    const before = client.ticks.length;
    await waitFor(() => client.ticks.slice(before).some((t) => t.exchangeTimestamp >= stalledAt), 'ticks to resume');
    client.send('ping');
    await waitFor(() => client.texts.includes('pong'), 'a pong after the stall');

    const stamped = client.ticks.slice(before).map((t) => t.exchangeTimestamp).filter((ts) => ts >= stalledAt);
    expect(Math.min(...stamped)).toBeGreaterThanOrEqual(stalledAt + 1500);
    expect(client.texts.filter((t) => t === 'pong')).toHaveLength(1);
    client.ws.ping('after');
    await waitFor(() => client.controlPongs.length > 0, 'a control pong after the stall');
    expect(client.controlPongs).toEqual(['after']);
  });

  it('close-after ends each open connection after exactly N more frames and frees its slot', async () => {
    const b = await start();
    const client = await connect(b.url);

    await admin(b, 'POST', '/__admin/faults', JSON.stringify({ type: 'close-after', messages: 3 }));
    for (let i = 0; i < 5; i++) client.send('ping');

    await waitFor(() => client.closed, 'the connection to be closed');
    expect(client.texts).toEqual(['pong', 'pong', 'pong']);
    await waitFor(() => b.stats().current.A123 === 0, 'the slot to be freed');
    expect(b.events().at(-1)).toMatchObject({ type: 'closed', reason: 'close-after fault (abort)', count: 0 });
    expect((await handshake(b.url, sdkHeaders(ACCOUNT_A))).ok).toBe(true);
  });

  it('reset clears stats, events and pending faults and keeps open connections', async () => {
    const b = await start();
    const client = await connect(b.url);
    await handshake(b.url, {});
    b.inject({ type: 'reject-next', count: 5 });

    const { status } = await admin(b, 'POST', '/__admin/reset');

    expect(status).toBe(200);
    expect(b.events()).toEqual([]);
    expect(b.stats()).toEqual({
      limit: 2,
      current: { A123: 1 },
      peak: { A123: 1 },
      accepted: 0,
      rejected: { '401': 0, '429': 0 },
      subscriptions: { A123: 0 },
      ticksSent: 0,
      orderUpdates: { limit: 3, current: {}, peak: {}, accepted: 0, rejected: { '401': 0, '429': 0 } },
    });
    client.send('ping');
    await waitFor(() => client.texts.includes('pong'), 'the kept connection to answer');
    expect((await handshake(b.url, sdkHeaders(ACCOUNT_A))).ok).toBe(true);
  });

  it.each([
    ['bad JSON', 'POST', '/__admin/faults', '{"type":', 400],
    ['an unknown fault', 'POST', '/__admin/faults', '{"type":"explode"}', 400],
    ['reject-next without a count', 'POST', '/__admin/faults', '{"type":"reject-next"}', 400],
    ['stall with a bad ms', 'POST', '/__admin/faults', '{"type":"stall","ms":-1}', 400],
    ['an unknown admin path', 'GET', '/__admin/nope', undefined, 404],
    ['the wrong method', 'GET', '/__admin/reset', undefined, 405],
    ['DELETE of a fault that is not active', 'DELETE', '/__admin/faults/none', undefined, 404],
    ['a plan that is not a plan', 'POST', '/__admin/faults/plan', '{"version":2,"faults":[]}', 400],
    ['a path outside the admin API', 'GET', '/elsewhere', undefined, 404],
  ])('answers %s with %s and a JSON error', async (_name, method, path, body, expected) => {
    const b = await start();

    const { status, json } = await admin(b, method, path, body);

    expect(status).toBe(expected);
    expect(json).toEqual({ error: expect.any(String) });
  });
});

describe('mock broker logs', () => {
  it('logs one line per accepted, rejected and closed connection with client code and count, never credentials', async () => {
    const secret = { clientCode: 'C789', apiKey: 'SECRET-API-KEY', feedToken: 'SECRET-FEED', authToken: 'SECRET-JWT' };
    const b = await start({ accounts: [secret] });
    const first = await connect(b.url, secret);
    await connect(b.url, secret);
    await handshake(b.url, sdkHeaders(secret));
    await handshake(b.url, { ...sdkHeaders(secret), 'x-feed-token': 'SECRET-WRONG' });
    await first.close();
    await waitFor(() => b.stats().current.C789 === 1, 'the close');

    const lines = logLines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const connectionLines = lines.filter((l) => String(l.event).startsWith('connection.'));
    expect(connectionLines.map((l) => [l.event, l.clientCode, l.count])).toEqual([
      ['connection.accepted', 'C789', 1],
      ['connection.accepted', 'C789', 2],
      ['connection.rejected', 'C789', 2],
      ['connection.rejected', 'C789', 2],
      ['connection.closed', 'C789', 1],
    ]);
    expect(logLines.join('')).not.toMatch(/SECRET/);
  });
});
