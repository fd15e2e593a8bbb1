import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRig, USER, waitFor, type OpenAlgoClient, type Rig } from '../support/gateway-harness.ts';

let rig: Rig;
let client: OpenAlgoClient;
beforeEach(async () => {
  rig = await startRig();
  client = await rig.connect();
});
afterEach(async () => {
  await rig.close();
});

const QUOTE_FIELDS = [
  'ltp', 'ltt', 'volume', 'open', 'high', 'low', 'close', 'last_trade_quantity', 'average_price',
  'total_buy_quantity', 'total_sell_quantity', 'timestamp',
];

/** Paise divided by 100: a rupee price with at most two decimals, in the mock's 100–5000 range. */
function isRupees(value: unknown): boolean {
  return typeof value === 'number' && value >= 100 && value <= 5_000 && Math.abs(value * 100 - Math.round(value * 100)) < 1e-6;
}

describe('OpenAlgo client protocol (docs/architecture.md#openalgo-client-protocol)', () => {
  it('authenticate answers with the auth success shape', async () => {
    expect(await client.request({ action: 'authenticate', api_key: USER.apiKey })).toEqual({
      type: 'auth',
      status: 'success',
      message: 'Authentication successful',
      broker: 'angel',
      user_id: USER.userId,
      supported_features: { ltp: true, quote: true, depth: true },
    });
  });

  it('accepts `auth` as an alias and `type` in place of `action`', async () => {
    expect((await client.request({ type: 'auth', api_key: USER.apiKey })).status).toBe('success');
    expect((await client.request({ type: 'get_broker_info' })).type).toBe('broker_info');
  });

  it('subscribe with a single symbol answers with one success entry', async () => {
    await client.authenticateOpen();
    expect(await client.request({ action: 'subscribe', symbol: 'RELIANCE', exchange: 'NSE', mode: 1, depth: 5 })).toEqual({
      type: 'subscribe',
      status: 'success',
      subscriptions: [{ symbol: 'RELIANCE', exchange: 'NSE', status: 'success', mode: 1, depth: 5, broker: 'angel' }],
      message: 'Subscription processing complete',
      broker: 'angel',
    });
  });

  it('subscribe with a symbols array reports per-symbol SYMBOL_NOT_FOUND and status partial', async () => {
    await client.authenticateOpen();
    const reply = await client.request({
      action: 'subscribe',
      symbols: [{ symbol: 'SBIN', exchange: 'NSE' }, { symbol: 'NOSUCH', exchange: 'NSE' }, { symbol: 'NIFTY', exchange: 'NSE_INDEX' }],
      mode: 'LTP',
    });
    expect(reply.status).toBe('partial');
    expect(reply.subscriptions).toEqual([
      { symbol: 'SBIN', exchange: 'NSE', status: 'success', mode: 1, depth: 5, broker: 'angel' },
      { symbol: 'NOSUCH', exchange: 'NSE', status: 'error', code: 'SYMBOL_NOT_FOUND', message: 'Symbol NOSUCH not found on NSE', broker: 'angel' },
      { symbol: 'NIFTY', exchange: 'NSE_INDEX', status: 'success', mode: 1, depth: 5, broker: 'angel' },
    ]);
  });

  it('a subscribe in which every symbol fails has status error', async () => {
    await client.authenticate();
    const reply = await client.request({ action: 'subscribe', symbols: [{ symbol: 'NOSUCH', exchange: 'NSE' }], mode: 1 });
    expect(reply.status).toBe('error');
  });

  it('LTP market data carries ltp, ltt and timestamp with prices in rupees', async () => {
    await client.authenticate();
    await client.request({ action: 'subscribe', symbol: 'INFY', exchange: 'NSE', mode: 'LTP' });
    const push = await waitFor(() => client.marketData()[0], 'an LTP push');
    expect(push).toMatchObject({ type: 'market_data', symbol: 'INFY', exchange: 'NSE', mode: 1, broker: 'angel' });
    expect(Object.keys(push.data).sort()).toEqual(['ltp', 'ltt', 'timestamp']);
    expect(isRupees(push.data.ltp)).toBe(true);
  });

  it('Quote market data carries the quote fields with prices in rupees', async () => {
    await client.authenticate();
    await client.request({ action: 'subscribe', symbol: 'TCS', exchange: 'NSE', mode: 'Quote' });
    const push = await waitFor(() => client.marketData()[0], 'a Quote push');
    expect(push.mode).toBe(2);
    expect(Object.keys(push.data).sort()).toEqual([...QUOTE_FIELDS].sort());
    for (const field of ['ltp', 'open', 'high', 'low', 'close', 'average_price']) expect(isRupees(push.data[field])).toBe(true);
  });

  it('Depth market data (SmartAPI SnapQuote) adds oi, circuits and five levels a side', async () => {
    await client.authenticate();
    await client.request({ action: 'subscribe', symbol: 'HDFCBANK', exchange: 'NSE', mode: 3 });
    const push = await waitFor(() => client.marketData()[0], 'a Depth push');
    expect(push.mode).toBe(3);
    expect(Object.keys(push.data).sort()).toEqual([...QUOTE_FIELDS, 'oi', 'upper_circuit', 'lower_circuit', 'depth'].sort());
    expect(push.data.depth.buy).toHaveLength(5);
    expect(push.data.depth.sell).toHaveLength(5);
    expect(isRupees(push.data.depth.buy[0].price)).toBe(true);
    expect(push.data.depth.buy[0].price).toBeLessThan(push.data.depth.sell[0].price);
  });

  it('the scrip-master spelling RELIANCE-EQ resolves too and is echoed as sent', async () => {
    await client.authenticate();
    await client.request({ action: 'subscribe', symbol: 'RELIANCE-EQ', exchange: 'NSE', mode: 1 });
    const push = await waitFor(() => client.marketData()[0], 'a push');
    expect(push.symbol).toBe('RELIANCE-EQ');
  });

  it('unsubscribe answers with successful and failed lists, each symbol with its own mode', async () => {
    await client.authenticate();
    await client.request({ action: 'subscribe', symbol: 'ITC', exchange: 'NSE', mode: 1 });
    await client.request({ action: 'subscribe', symbol: 'ITC', exchange: 'NSE', mode: 2 });
    const reply = await client.request({
      action: 'unsubscribe',
      symbols: [{ symbol: 'ITC', exchange: 'NSE', mode: 1 }, { symbol: 'ITC', exchange: 'NSE', mode: 'Quote' }, { symbol: 'NOSUCH', exchange: 'NSE' }],
    });
    expect(reply).toEqual({
      type: 'unsubscribe',
      status: 'partial',
      message: 'Unsubscription processing complete',
      successful: [
        { symbol: 'ITC', exchange: 'NSE', mode: 1 },
        { symbol: 'ITC', exchange: 'NSE', mode: 2 },
      ],
      failed: [{ symbol: 'NOSUCH', exchange: 'NSE', code: 'SYMBOL_NOT_FOUND', message: 'Symbol NOSUCH not found on NSE' }],
      broker: 'angel',
    });
    expect(rig.gateway.health().adapters[0]!.subscriptions).toBe(0);
  });

  it('unsubscribe_all lists what it removed and stops the data', async () => {
    await client.authenticate();
    await client.request({ action: 'subscribe', symbols: [{ symbol: 'LT', exchange: 'NSE' }, { symbol: 'M&M', exchange: 'NSE' }], mode: 1 });
    const reply = await client.request({ action: 'unsubscribe_all' });
    expect(reply).toMatchObject({ type: 'unsubscribe', status: 'success', failed: [], broker: 'angel' });
    expect(reply.successful).toHaveLength(2);
    expect(rig.gateway.health().adapters[0]!.subscriptions).toBe(0);
  });

  it('get_broker_info reports the adapter status and user', async () => {
    await client.authenticate();
    // auth answers before the upstream opens; the status it reports is the adapter's once open.
    await client.brokerState('open');
    expect(await client.request({ action: 'get_broker_info' })).toEqual({
      type: 'broker_info',
      status: 'success',
      broker: 'angel',
      adapter_status: 'open',
      user_id: USER.userId,
    });
  });

  it('get_supported_brokers lists angel', async () => {
    expect(await client.request({ action: 'get_supported_brokers' })).toEqual({
      type: 'supported_brokers',
      status: 'success',
      brokers: ['angel'],
      count: 1,
    });
  });

  it('ping answers pong with the server time and echoes the client timestamp', async () => {
    const reply = await client.request({ action: 'ping', timestamp: 12345 });
    expect(reply).toMatchObject({ type: 'pong', status: 'success', client_timestamp: 12345 });
    expect(typeof reply.server_timestamp).toBe('number');
  });

  it('echoes request_id on subscribe replies', async () => {
    await client.authenticate();
    const reply = await client.request({ action: 'subscribe', symbol: 'WIPRO', exchange: 'NSE', mode: 1, request_id: 'r-7' });
    expect(reply.request_id).toBe('r-7');
  });

  it('frames sent before the auth reply are handled after authentication, in order', async () => {
    client.send({ action: 'authenticate', api_key: USER.apiKey });
    client.send({ action: 'subscribe', symbol: 'SBIN', exchange: 'NSE', mode: 1 });
    const replies = () => client.received.filter((m) => m.type !== 'market_data' && m.type !== 'broker_status');
    await waitFor(() => replies().length >= 2, 'two replies');
    const [auth, sub] = replies();
    expect(auth!.type).toBe('auth');
    expect(sub).toMatchObject({ type: 'subscribe', status: 'success' });
    // Accepted whether or not the upstream had opened by then; data follows either way.
    expect(['success', 'pending']).toContain(sub!.subscriptions[0].status);
    await waitFor(() => client.marketData().some((m) => m.symbol === 'SBIN'), 'SBIN data');
  });
});
