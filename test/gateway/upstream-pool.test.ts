import { afterEach, describe, expect, it } from 'vitest';
import instruments from '../../gateway/data/instruments.json' with { type: 'json' };
import type { Instrument } from '../../gateway/index.ts';
import { startRig, waitFor, type OpenAlgoClient, type Rig } from '../support/gateway-harness.ts';

/**
 * The singleton's upstream pool (docs/gateway.md#upstream-pool) on real sockets against the mock broker:
 * more symbols than one connection may carry, within `--max-upstream` connections and without a 429 of
 * its own making.
 */

const LTP = 1;
const equities = instruments.filter((i) => i.exch_seg === 'NSE' && i.instrumenttype === '');
const symbolsOf = (list: { name: string }[]) => list.map((i) => ({ symbol: i.name, exchange: 'NSE' }));

/** `count` NSE equities with tokens far from the bundled master's, for a user past 1,000 symbols. */
function optionChain(count: number): Instrument[] {
  return Array.from({ length: count }, (_, i) => {
    const symbol = `CHAIN${String(i + 1).padStart(4, '0')}`;
    return { token: String(800_001 + i), symbol, name: symbol, exch_seg: 'NSE' };
  });
}

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const clientCode = 'T1001';
const peakAtBroker = (r: Rig) => r.broker.stats().peak[clientCode] ?? 0;
const refusals = (r: Rig) => r.broker.stats().rejected['429'];
const statuses = (c: OpenAlgoClient) => c.received.filter((m) => m.type === 'subscription_status');

describe('upstream pool (--max-upstream)', () => {
  it('1,500 symbols for one user: at most 2 upstream connections, no 429, ticks on every symbol', { timeout: 60_000 }, async () => {
    const chain = optionChain(1_500);
    // AngelOne's documented limits: 3 connections per client code, 1,000 tokens each.
    rig = await startRig({ instruments: chain }, { limit: 3, tickMs: 200 });
    const client = await rig.connect();
    await client.authenticateOpen();

    const replies = [];
    for (let i = 0; i < chain.length; i += 500) {
      replies.push(await client.request({ action: 'subscribe', symbols: symbolsOf(chain.slice(i, i + 500)), mode: LTP }));
    }

    expect(replies.flatMap((r) => r.subscriptions).filter((s: { status: string }) => s.status === 'error')).toEqual([]);
    const ticked = new Set<string>();
    await waitFor(() => {
      for (const m of client.marketData()) ticked.add(m.symbol);
      return ticked.size === chain.length;
    }, 'market data on all 1,500 symbols', 30_000);
    expect(peakAtBroker(rig)).toBe(2);
    expect(refusals(rig)).toBe(0);
    const health = rig.gateway.health().adapters[0]!;
    expect(health.pool).toEqual({ maxUpstream: 2, tokens: [1_000, 500], open: 2, waiting: 0 });
    expect(rig.logs.text()).toContain('[POOL] Creating NEW connection 2/2 for angel (previous connection full: 1000/1000 symbols');
  });

  it('past N × tokens a subscribe fails per symbol with the budget named; a symbol already carried still succeeds', async () => {
    rig = await startRig({ maxTokens: 3 }, { maxTokens: 3, limit: 3 });
    const a = await rig.connect();
    const b = await rig.connect();
    await a.authenticateOpen();
    await b.authenticateOpen();

    const first = await a.request({ action: 'subscribe', symbols: symbolsOf(equities.slice(0, 7)), mode: LTP });
    const statusOf = (reply: Record<string, any>) => reply.subscriptions.map((s: { status: string }) => s.status);
    expect(first.status).toBe('partial');
    expect(statusOf(first).slice(0, 6).every((s: string) => s === 'success' || s === 'pending')).toBe(true);
    expect(first.subscriptions[6].message).toBe(
      "Subscription limit reached: the user's 2 upstream connections (--max-upstream) hold 6 tokens, 3 each, all in use",
    );
    // Another client of the same user: what the pool carries costs nothing, so it is never refused.
    const second = await b.request({ action: 'subscribe', symbols: symbolsOf([equities[0]!, equities[5]!, equities[8]!]), mode: LTP });
    expect(statusOf(second)).toEqual([expect.stringMatching(/success|pending/), expect.stringMatching(/success|pending/), 'error']);
    await waitFor(() => b.marketData().some((m) => m.symbol === equities[5]!.name), 'data on the carried symbol');
    expect(peakAtBroker(rig)).toBe(2);
    expect(refusals(rig)).toBe(0);
  });

  it('a refused extra connection stops the pool growing; only its symbols hear why, and it is not retried once nobody needs them', async () => {
    // Another application holds one of the user's two slots: the pool's second connection meets a 429.
    rig = await startRig({ maxTokens: 3, maxUpstream: 3 }, { maxTokens: 3, limit: 1 });
    const a = await rig.connect();
    await a.authenticateOpen();
    const reply = await a.request({ action: 'subscribe', symbols: symbolsOf(equities.slice(0, 9)), mode: LTP });

    expect(reply.subscriptions.slice(3).every((s: { status: string }) => s.status === 'pending')).toBe(true);
    const refused = await waitFor(() => statuses(a).find((m) => m.state === 'refused-retrying'), 'subscription_status for the left-out symbols');
    expect(refused.http_status).toBe(429);
    expect(refused.symbols.map((s: { symbol: string }) => s.symbol)).toEqual(equities.slice(3, 6).map((i) => i.name));
    await waitFor(() => a.marketData().some((m) => m.symbol === equities[0]!.name), 'data on the first connection');
    expect(a.received.some((m) => m.code === 'BROKER_ERROR')).toBe(false);
    // The pool did not grow past the refused connection: every attempt but the first was the second connection's.
    await waitFor(() => refusals(rig!) >= 2, 'one retry after the back-off');
    expect(rig.logs.count('upstream.connect')).toBe(1 + refusals(rig));
    expect(rig.gateway.health().adapters[0]!.pool).toMatchObject({ open: 1, waiting: 6 });

    await a.request({ action: 'unsubscribe', symbols: symbolsOf(equities.slice(3, 9)), mode: LTP });
    const after = refusals(rig);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(refusals(rig)).toBe(after);
    expect(peakAtBroker(rig)).toBe(1);
  });

  it('two clients overflowing the first connection at once share one second connection (single-flight)', async () => {
    rig = await startRig({ maxTokens: 3 }, { maxTokens: 3, limit: 3 });
    const [a, b] = [await rig.connect(), await rig.connect()];
    await a.authenticateOpen();
    await b.authenticateOpen();
    a.send({ action: 'subscribe', symbols: symbolsOf(equities.slice(0, 4)), mode: LTP });
    b.send({ action: 'subscribe', symbols: symbolsOf(equities.slice(4, 6)), mode: LTP });

    await waitFor(() => rig!.gateway.health().adapters[0]!.pool!.open === 2, 'the second connection to open');
    await waitFor(() => b.marketData().some((m) => m.symbol === equities[5]!.name), 'data on the second connection');
    expect(peakAtBroker(rig)).toBe(2);
    expect(rig.broker.events().filter((e) => e.type === 'accepted').length).toBe(2);
  });

  it('an extra connection whose last symbol went is closed after the linger, freeing its broker slot', async () => {
    rig = await startRig({ maxTokens: 3, lingerMs: 100 }, { maxTokens: 3, limit: 3 });
    const a = await rig.connect();
    await a.authenticateOpen();
    await a.request({ action: 'subscribe', symbols: symbolsOf(equities.slice(0, 5)), mode: LTP });
    await waitFor(() => rig!.broker.stats().current[clientCode] === 2, 'two upstream connections');

    await a.request({ action: 'unsubscribe', symbols: symbolsOf(equities.slice(3, 5)), mode: LTP });

    await waitFor(() => rig!.broker.stats().current[clientCode] === 1, 'the extra connection to close');
    expect(rig.gateway.health().adapters[0]!.pool!.tokens).toEqual([3]);
    expect(rig.logs.count('upstream.pool.shrink')).toBe(1);
  });
});
