import { afterEach, describe, expect, it } from 'vitest';
import { startRig, waitFor, type OpenAlgoClient, type Rig } from '../support/gateway-harness.ts';

/**
 * Last value on subscribe (docs/gateway.md#last-value-on-subscribe): a new subscriber gets the latest
 * tick at once, marked `"snapshot": true`, while the broker sends nothing at all.
 */

const RELIANCE = { symbol: 'RELIANCE', exchange: 'NSE' };
const LTP = 1;

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

/** A client subscribed and fed, then the broker goes silent (no ticks, no pongs) for the rest of the test. */
async function silentBrokerAfterOneTick(options: { snapshot?: boolean } = {}): Promise<{ fed: OpenAlgoClient; lastTimestamp: number; ticksSent: number }> {
  rig = await startRig({ heartbeat: { pingMs: 10_000, deadMs: 25_000 }, ...options });
  const fed = await rig.connect();
  await fed.authenticateOpen();
  await fed.request({ action: 'subscribe', ...RELIANCE, mode: LTP });
  await waitFor(() => fed.marketData().length > 0, 'a first tick');
  rig.broker.inject({ type: 'stall', ms: 30_000 });
  const ticksSent = rig.broker.stats().ticksSent;
  // A tick already on the wire when the stall began may still land: the snapshot must be the latest.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const lastTimestamp = fed.marketData().at(-1)!.data.timestamp as number;
  return { fed, lastTimestamp, ticksSent };
}

describe('last value on subscribe', () => {
  it('a new subscriber gets the latest tick at once as "snapshot": true with its exchange timestamp, while the broker sends nothing', async () => {
    const { lastTimestamp, ticksSent } = await silentBrokerAfterOneTick();
    const late = await rig!.connect();
    await late.authenticateOpen();

    const reply = await late.request({ action: 'subscribe', ...RELIANCE, mode: LTP });
    const first = await waitFor(() => late.marketData()[0], 'the snapshot');

    expect(reply.status).toBe('success');
    expect(first).toMatchObject({ type: 'market_data', symbol: 'RELIANCE', exchange: 'NSE', mode: LTP, snapshot: true });
    expect(first.data.timestamp).toBe(lastTimestamp);
    expect(late.received.indexOf(reply)).toBeLessThan(late.received.indexOf(first));
    expect(rig!.broker.stats().ticksSent).toBe(ticksSent);
  });

  it('live ticks after the snapshot carry no snapshot field', async () => {
    rig = await startRig();
    const fed = await rig.connect();
    await fed.authenticateOpen();
    await fed.request({ action: 'subscribe', ...RELIANCE, mode: LTP });
    await waitFor(() => fed.marketData().length > 0, 'a first tick');
    const late = await rig.connect();
    await late.authenticateOpen();
    await late.request({ action: 'subscribe', ...RELIANCE, mode: LTP });

    await waitFor(() => late.marketData().length >= 3, 'live ticks after the snapshot');
    const [snapshot, ...live] = late.marketData();
    expect(snapshot!.snapshot).toBe(true);
    expect(live.every((m) => !('snapshot' in m))).toBe(true);
    expect(fed.marketData().every((m) => !('snapshot' in m))).toBe(true);
  });

  it('--no-snapshot: a new subscriber waits for the next tick', async () => {
    await silentBrokerAfterOneTick({ snapshot: false });
    const late = await rig!.connect();
    await late.authenticateOpen();
    await late.request({ action: 'subscribe', ...RELIANCE, mode: LTP });
    // Everything the gateway sent before this pong has arrived.
    await late.request({ action: 'ping', timestamp: 1 });

    expect(late.marketData()).toEqual([]);
  });
});
