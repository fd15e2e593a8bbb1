import { describe, expect, it } from 'vitest';
import { type Depth20Tick, type LtpTick, type QuoteTick, type SnapQuoteTick, type Tick, ExchangeType, PACKET_SIZE, SubscriptionMode } from '../../protocol/smartapi/index.ts';
import { mockBrokersPerTest, connect, waitFor, type TestClient } from '../support/mock-broker-client.ts';

const NOW = 1_764_000_000_000;

const start = mockBrokersPerTest({ tickMs: 20, clock: () => NOW });
const startWithDefaults = mockBrokersPerTest();

function subscribe(mode: number, tokens: string[], exchangeType: number = ExchangeType.nse_cm, action = 1, correlationID = 'abcde12345') {
  return { correlationID, action, params: { mode, tokenList: [{ exchangeType, tokens }] } };
}

/** Sends a ping and waits for its pong: everything sent before it has then been processed. */
async function roundTrip(client: TestClient): Promise<void> {
  const pongs = client.texts.filter((t) => t === 'pong').length;
  client.send('ping');
  await waitFor(() => client.texts.filter((t) => t === 'pong').length > pongs, 'pong');
}

const ticksOf = (client: TestClient, token: string, mode: number): Tick[] =>
  client.ticks.filter((t) => t.token === token && t.mode === mode);

describe('mock broker heartbeat and ticks', () => {
  it('answers text ping with text pong', async () => {
    const b = await start();
    const client = await connect(b.url);

    client.send('ping');

    await waitFor(() => client.texts.includes('pong'), 'pong');
  });

  it('answers a control-frame ping (how the Python SDK heartbeats) with a pong carrying its payload', async () => {
    const b = await start();
    const client = await connect(b.url);

    client.ws.ping('ping');

    await waitFor(() => client.controlPongs.includes('ping'), 'control pong');
  });

  it('sends LTP ticks with increasing sequence numbers, stamped with the injected clock', async () => {
    const b = await start();
    const client = await connect(b.url);

    client.send(subscribe(SubscriptionMode.ltp, ['2885']));

    const ticks = await waitFor(() => (client.ticks.length >= 3 ? (client.ticks as LtpTick[]) : undefined), 'three ticks');
    expect(client.binary.every((frame) => frame.length === PACKET_SIZE[1])).toBe(true);
    expect(ticks[0]).toMatchObject({ mode: 1, exchangeType: 1, token: '2885', exchangeTimestamp: NOW });
    const sequence = ticks.map((t) => t.sequenceNumber);
    expect(sequence).toEqual([...sequence].sort((x, y) => x - y));
    expect(new Set(sequence).size).toBe(sequence.length);
    expect(ticks.every((t) => t.lastTradedPrice > 0 && t.lastTradedPrice % 5 === 0)).toBe(true);
  });

  it('sends consistent Quote and SnapQuote ticks', async () => {
    const b = await start();
    const client = await connect(b.url);

    client.send(subscribe(SubscriptionMode.quote, ['3045']));
    client.send(subscribe(SubscriptionMode.snapQuote, ['1594']));

    await waitFor(() => ticksOf(client, '1594', 3).length >= 2 && ticksOf(client, '3045', 2).length >= 2, 'quote and snapquote ticks');
    const quote = ticksOf(client, '3045', 2).at(-1) as QuoteTick;
    expect(quote.lowPrice).toBeLessThanOrEqual(quote.lastTradedPrice);
    expect(quote.highPrice).toBeGreaterThanOrEqual(quote.lastTradedPrice);
    expect(quote.volumeTradedToday).toBeGreaterThanOrEqual(quote.lastTradedQuantity);
    const snap = ticksOf(client, '1594', 3).at(-1) as SnapQuoteTick;
    expect(snap.bestFive.buy).toHaveLength(5);
    expect(snap.bestFive.sell).toHaveLength(5);
    expect(snap.bestFive.buy.every((l) => l.price < snap.lastTradedPrice)).toBe(true);
    expect(snap.bestFive.sell.every((l) => l.price > snap.lastTradedPrice)).toBe(true);
    expect(snap.upperCircuit).toBeGreaterThan(snap.lowerCircuit);
    expect(snap.exchangeTimestamp).toBe(NOW);
  });

  it('sends Depth-20 ticks with 20 levels a side and the send time as packet received time', async () => {
    const b = await start();
    const client = await connect(b.url);

    client.send(subscribe(SubscriptionMode.depth20, ['2885']));

    const tick = (await waitFor(() => client.ticks[0], 'a depth tick')) as Depth20Tick;
    expect(client.binary[0]).toHaveLength(PACKET_SIZE[4]);
    expect(tick).toMatchObject({ mode: 4, exchangeType: 1, token: '2885', exchangeTimestamp: NOW, packetReceivedTime: NOW });
    expect(tick.buy).toHaveLength(20);
    expect(tick.sell).toHaveLength(20);
    expect(tick.buy[0]!.price).toBeLessThan(tick.sell[0]!.price);
    expect(tick.buy.every((l) => l.quantity > 0 && l.orders > 0)).toBe(true);
  });

  it('sends one token in two modes from the same step, and identical bytes to every subscriber', async () => {
    const b = await start();
    const one = await connect(b.url);
    const two = await connect(b.url);

    for (const client of [one, two]) client.send(subscribe(SubscriptionMode.ltp, ['2885']));
    one.send(subscribe(SubscriptionMode.quote, ['2885']));

    await waitFor(() => ticksOf(one, '2885', 2).length >= 3 && ticksOf(two, '2885', 1).length >= 3, 'ticks on both');
    const ltpBySeq = new Map(ticksOf(one, '2885', 1).map((t) => [(t as LtpTick).sequenceNumber, t as LtpTick]));
    const paired = ticksOf(one, '2885', 2).filter((q) => ltpBySeq.has((q as QuoteTick).sequenceNumber));
    expect(paired.length).toBeGreaterThan(0);
    for (const q of paired as QuoteTick[]) expect(q.lastTradedPrice).toBe(ltpBySeq.get(q.sequenceNumber)!.lastTradedPrice);
    const ltpFramesOne = new Map(one.binary.filter((f) => f[0] === 1).map((f) => [f.readUInt32LE(27), f.toString('hex')]));
    const sharedSeqs = two.binary.filter((f) => ltpFramesOne.has(f.readUInt32LE(27)));
    expect(sharedSeqs.length).toBeGreaterThan(0);
    for (const f of sharedSeqs) expect(f.toString('hex')).toBe(ltpFramesOne.get(f.readUInt32LE(27)));
  });

  it('is deterministic from the seed: two brokers with the same seed send the same prices', async () => {
    const prices = async (seed: number): Promise<number[]> => {
      const b = await start({ seed });
      const client = await connect(b.url);
      client.send(subscribe(SubscriptionMode.ltp, ['2885', '11536']));
      await waitFor(() => ticksOf(client, '11536', 1).length >= 5, 'five ticks');
      return ticksOf(client, '11536', 1).slice(0, 5).map((t) => (t as LtpTick).lastTradedPrice);
    };

    const [first, second, other] = [await prices(7), await prices(7), await prices(8)];

    expect(second).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it('stops a token after unsubscribe and keeps the others', async () => {
    const b = await start();
    const client = await connect(b.url);
    client.send(subscribe(SubscriptionMode.ltp, ['2885', '3045']));
    await waitFor(() => ticksOf(client, '3045', 1).length >= 1, 'first ticks');

    client.send(subscribe(SubscriptionMode.ltp, ['2885'], ExchangeType.nse_cm, 0));
    await roundTrip(client);
    const after = client.ticks.length;

    await waitFor(() => client.ticks.slice(after).filter((t) => t.token === '3045').length >= 3, 'more 3045 ticks');
    expect(client.ticks.slice(after).some((t) => t.token === '2885')).toBe(false);
    expect(b.stats().subscriptions).toEqual({ A123: 1 });
  });

  it('keeps a client that never pings open and counted', async () => {
    const b = await start();
    const client = await connect(b.url);
    client.send(subscribe(SubscriptionMode.ltp, ['2885']));

    await waitFor(() => client.ticks.length >= 10, 'ten tick intervals without a ping');

    expect(client.closed).toBe(false);
    expect(b.stats().current).toEqual({ A123: 1 });
    await client.close();
    await waitFor(() => b.stats().current.A123 === 0, 'the slot to be freed');
  });
});

describe('mock broker requests the SDKs send', () => {
  it('streams ticks to a subscribe without correlationID, as the SDKs resubscribe after a reconnect', async () => {
    const b = await start();
    const client = await connect(b.url);

    client.send({ action: 1, params: { mode: 1, tokenList: [{ exchangeType: 1, tokens: ['2885'] }] } });
    await waitFor(() => client.ticks.length >= 2, 'ticks for the resubscribe');

    expect(client.json()).toEqual([]);
    expect(client.ticks[0]).toMatchObject({ mode: 1, exchangeType: 1, token: '2885' });
    expect(b.connectionSubscriptions()).toEqual([{ connectionId: 1, clientCode: 'A123', subscriptions: [{ exchangeType: 1, token: '2885', mode: 1 }] }]);
  });

  it('unsubscribes without correlationID too', async () => {
    const b = await start();
    const client = await connect(b.url);
    client.send(subscribe(1, ['2885']));
    await waitFor(() => client.ticks.length >= 1, 'ticks');

    client.send({ action: 0, params: { mode: 1, tokenList: [{ exchangeType: 1, tokens: ['2885'] }] } });
    await roundTrip(client);

    expect(client.json()).toEqual([]);
    expect(b.connectionSubscriptions()[0].subscriptions).toEqual([]);
  });
});

describe('mock broker request errors', () => {
  it.each([
    ['bad JSON', '{"correlationID":', ''],
    ['a JSON array', '[1,2]', ''],
    ['an unknown action', JSON.stringify(subscribe(1, ['2885'], 1, 2, 'c1')), 'c1'],
    ['an unknown mode', JSON.stringify(subscribe(5, ['2885'], 1, 1, 'c2')), 'c2'],
    ['an unknown exchange type', JSON.stringify(subscribe(1, ['2885'], 6, 1, 'c3')), 'c3'],
    ['no tokens', JSON.stringify(subscribe(1, [], 1, 1, 'c4')), 'c4'],
    ['a non-string token', JSON.stringify({ correlationID: 'c5', action: 1, params: { mode: 1, tokenList: [{ exchangeType: 1, tokens: [2885] }] } }), 'c5'],
    ['no params', JSON.stringify({ correlationID: 'c6', action: 1 }), 'c6'],
    ['a numeric correlationID', JSON.stringify({ correlationID: 7, action: 1, params: { mode: 1, tokenList: [{ exchangeType: 1, tokens: ['2885'] }] } }), ''],
    ['plain garbage text', 'hello broker', ''],
  ])('answers %s with E1001 and keeps the connection', async (_name, frame, correlationID) => {
    const b = await startWithDefaults();
    const client = await connect(b.url);

    client.send(frame);
    await roundTrip(client);

    expect(client.json()).toEqual([{ correlationID, errorCode: 'E1001', errorMessage: 'Invalid Request Payload.' }]);
    expect(client.closed).toBe(false);
  });

  it('answers E1002 past --max-tokens distinct tokens on one connection, atomically', async () => {
    const b = await start({ maxTokens: 3 });
    const client = await connect(b.url);

    client.send(subscribe(1, ['1', '2', '3']));
    client.send(subscribe(2, ['1', '2', '3']));
    client.send(subscribe(1, ['4', '5'], 1, 1, 'over'));
    await roundTrip(client);

    expect(client.json()).toEqual([
      { correlationID: 'over', errorCode: 'E1002', errorMessage: 'Invalid Request. Subscription Limit Exceeded.' },
    ]);
    expect(b.stats().subscriptions).toEqual({ A123: 6 });
    expect(client.closed).toBe(false);
  });

  it('answers E1002 for more than 50 Depth-20 tokens or Depth-20 outside nse_cm', async () => {
    const b = await start();
    const client = await connect(b.url);
    const tokens = Array.from({ length: 51 }, (_, i) => String(1000 + i));

    client.send(subscribe(4, tokens, 1, 1, 'fifty-one'));
    client.send(subscribe(4, ['2885'], ExchangeType.nse_fo, 1, 'fo'));
    client.send(subscribe(4, tokens.slice(0, 50), 1, 1, 'fifty'));
    await roundTrip(client);

    expect(client.json().map((m) => [m.correlationID, m.errorCode])).toEqual([
      ['fifty-one', 'E1002'],
      ['fo', 'E1002'],
    ]);
    expect(b.stats().subscriptions).toEqual({ A123: 50 });
  });

  it('ignores binary frames from the client', async () => {
    const b = await start();
    const client = await connect(b.url);

    client.send(Buffer.from([1, 2, 3, 4]));
    await roundTrip(client);

    expect(client.json()).toEqual([]);
    expect(client.closed).toBe(false);
  });

  it('closes a client that sends an oversized frame with 1009 and frees its slot', async () => {
    const b = await start({ maxPayload: 1024 });
    const client = await connect(b.url);

    client.send('x'.repeat(2048));

    await waitFor(() => client.closed, 'the oversized frame to close the connection');
    expect(client.closeCode).toBe(1009);
    await waitFor(() => b.stats().current.A123 === 0, 'the slot to be freed');
    expect(b.events().at(-1)).toMatchObject({ type: 'closed', reason: 'message too big (1009)' });
  });
});
