import { afterEach, describe, expect, it } from 'vitest';
import { startRig, USER, waitFor, type Rig } from '../support/gateway-harness.ts';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('hostile and broken clients', () => {
  it('bad frames get protocol errors and never close the connection', async () => {
    rig = await startRig();
    const client = await rig.connect();
    const cases: [string | object, string][] = [
      ['{not json', 'INVALID_JSON'],
      ['[1,2,3]', 'INVALID_JSON'],
      ['42', 'INVALID_JSON'],
      [{ action: 'fly' }, 'INVALID_ACTION'],
      [{ hello: 'world' }, 'INVALID_ACTION'],
      [{ action: 42 }, 'INVALID_ACTION'],
      [{ action: 'authenticate' }, 'AUTHENTICATION_ERROR'],
      [{ action: 'authenticate', api_key: 12345 }, 'AUTHENTICATION_ERROR'],
      [{ action: 'authenticate', api_key: 'wrong-key' }, 'AUTHENTICATION_ERROR'],
      [{ action: 'subscribe', symbol: 'SBIN', exchange: 'NSE' }, 'NOT_AUTHENTICATED'],
      [{ action: 'unsubscribe_all' }, 'NOT_AUTHENTICATED'],
      [{ action: 'get_broker_info' }, 'NOT_AUTHENTICATED'],
    ];
    for (const [frame, code] of cases) {
      expect(await client.request(frame), JSON.stringify(frame)).toMatchObject({ status: 'error', code });
    }
    await client.authenticate();
    const afterAuth: [object, string][] = [
      [{ action: 'subscribe' }, 'INVALID_PARAMETERS'],
      [{ action: 'subscribe', symbols: 'SBIN' }, 'INVALID_PARAMETERS'],
      [{ action: 'subscribe', symbols: [] }, 'INVALID_PARAMETERS'],
      [{ action: 'subscribe', symbols: [{ symbol: 'SBIN' }] }, 'INVALID_PARAMETERS'],
      [{ action: 'subscribe', symbols: [null] }, 'INVALID_PARAMETERS'],
      [{ action: 'subscribe', symbol: 7, exchange: 'NSE' }, 'INVALID_PARAMETERS'],
      [{ action: 'subscribe', symbol: 'SBIN', exchange: 'NSE', mode: 'Turbo' }, 'INVALID_PARAMETERS'],
      [{ action: 'subscribe', symbol: 'SBIN', exchange: 'NSE', mode: 9 }, 'INVALID_PARAMETERS'],
      [{ action: 'subscribe', symbol: 'SBIN', exchange: 'NSE', depth: 'deep' }, 'INVALID_PARAMETERS'],
      [{ action: 'subscribe', symbol: 'x'.repeat(1000), exchange: 'NSE' }, 'INVALID_PARAMETERS'],
      [{ action: 'unsubscribe' }, 'INVALID_PARAMETERS'],
    ];
    for (const [frame, code] of afterAuth) {
      expect(await client.request(frame), JSON.stringify(frame)).toMatchObject({ status: 'error', code });
    }
    expect(client.closeCode).toBeUndefined();
    expect((await client.request({ action: 'ping' })).type).toBe('pong');
  });

  it('a binary frame is refused as INVALID_JSON', async () => {
    rig = await startRig();
    const client = await rig.connect();
    client.ws.send(Buffer.from([1, 2, 3]));
    expect(await client.nextReply()).toMatchObject({ status: 'error', code: 'INVALID_JSON' });
  });

  it('a frame over the 64 KiB cap closes that client with 1009 and nobody else', async () => {
    rig = await startRig();
    const bystander = await rig.connect();
    await bystander.authenticate();
    const attacker = await rig.connect();
    attacker.send(JSON.stringify({ action: 'ping', pad: 'x'.repeat(100 * 1024) }));
    expect(await attacker.closed()).toBe(1009);
    expect((await bystander.request({ action: 'ping' })).type).toBe('pong');
  });

  it('a client past its subscription cap gets per-symbol errors for the excess', async () => {
    rig = await startRig({ clientLimits: { maxSubscriptions: 3 } });
    const client = await rig.connect();
    await client.authenticateOpen();
    const symbols = ['SBIN', 'INFY', 'TCS', 'ITC', 'LT'].map((symbol) => ({ symbol, exchange: 'NSE' }));
    const reply = await client.request({ action: 'subscribe', symbols, mode: 1 });
    expect(reply.status).toBe('partial');
    const errors = reply.subscriptions.filter((s: { status: string }) => s.status === 'error');
    expect(errors).toHaveLength(2);
    expect(errors[0].message).toBe('Subscription limit reached: at most 3 subscriptions per client');
    expect(rig.gateway.health().adapters[0]!.subscriptions).toBe(3);
  });

  it('an unauthenticated idle connection is closed with 4001; an authenticated one stays', async () => {
    rig = await startRig({ clientLimits: { authTimeoutMs: 150 } });
    const idle = await rig.connect();
    const active = await rig.connect();
    await active.authenticate();
    expect(await idle.closed()).toBe(4001);
    expect((await active.request({ action: 'ping' })).type).toBe('pong');
    expect(active.closeCode).toBeUndefined();
  });

  it('a client that stops reading has ticks dropped, then is closed, while others keep receiving', async () => {
    // Loopback socket buffers take megabytes before ws buffers anything: 24 depth feeds every 2 ms fill
    // them in under a second.
    rig = await startRig({ clientLimits: { softBufferBytes: 32 * 1024, hardBufferBytes: 256 * 1024, slowGraceMs: 300 } }, { tickMs: 2 });
    const symbols = ['RELIANCE', 'SBIN', 'INFY', 'TCS', 'HDFCBANK', 'ICICIBANK', 'ITC', 'LT', 'AXISBANK', 'KOTAKBANK', 'WIPRO', 'TITAN',
      'BHARTIARTL', 'HINDUNILVR', 'ASIANPAINT', 'MARUTI', 'BAJFINANCE', 'HCLTECH', 'SUNPHARMA', 'TATAMOTORS', 'TATASTEEL', 'ULTRACEMCO', 'NTPC', 'POWERGRID']
      .map((symbol) => ({ symbol, exchange: 'NSE' }));
    const slow = await rig.connect();
    const healthy = await rig.connect();
    for (const c of [slow, healthy]) {
      await c.authenticate();
      await c.request({ action: 'subscribe', symbols, mode: 'Depth' });
    }
    // Stop reading: the gateway's writes pile up in the kernel and then in ws's buffer.
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();

    await waitFor(() => rig!.logs.count('client.slow') === 1, 'the slow client to be closed', 30_000);
    const before = healthy.marketData().length;
    await waitFor(() => healthy.marketData().length > before + 10, 'the healthy client to keep receiving');
    const metrics = await (await fetch(`${rig.gateway.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/stormcheck_gateway_market_data_dropped_total [1-9]/);
    expect(rig.gateway.health().clients).toBe(1);
  });

  it('no API key, JWT or feed token appears in the logs', async () => {
    rig = await startRig();
    rig.broker.inject({ type: 'reject-next', count: 1, status: 429 });
    const client = await rig.connect();
    await client.request({ action: 'authenticate', api_key: 'not-the-key' });
    await client.authenticate();
    await client.request({ action: 'subscribe', symbol: 'SBIN', exchange: 'NSE', mode: 1 });
    await rig.gateway.logout(USER.userId);
    const again = await rig.connect();
    await again.authenticate();
    await rig.close();
    const text = rig.logs.text();
    rig = undefined;

    expect(text).toContain('Connected to Angel WebSocket');
    for (const secret of [USER.apiKey, USER.brokerApiKey, USER.feedToken, USER.authToken, 'jwt-secret-payload']) {
      expect(text).not.toContain(secret);
    }
  });
});
