import { createRequire } from 'node:module';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Fault, MockBroker } from '../../mock-broker/index.ts';
import { mockBrokersPerTest, waitFor } from '../support/mock-broker-client.ts';

/**
 * The official smartapi-javascript SDK (WebSocketV2, what Node users of AngelOne run) against each fault a
 * real broker could produce: it must come back (reconnect and get ticks again) or report an error, never
 * hang silently. Its URL is a module constant, so the test points it at the mock by rewriting that.
 */
const require = createRequire(import.meta.url);
const { CONSTANTS } = require('smartapi-javascript/config/constant') as { CONSTANTS: { websocketURL: string } };
const { WebSocketV2 } = require('smartapi-javascript') as { WebSocketV2: new (params: Record<string, string>) => SmartWebSocketV2 };

interface SmartWebSocketV2 {
  connect(): Promise<unknown>;
  fetchData(request: Record<string, unknown>): void;
  on(event: 'tick', callback: (tick: unknown) => void): void;
  reconnection(type: 'simple', delayMs: number): void;
  close(): void;
}

const start = mockBrokersPerTest({ tickMs: 20 });
const sdks: SmartWebSocketV2[] = [];
/** The SDK keeps its tick listeners in one module-wide list, so one listener counts for every test. */
let ticks = 0;

beforeAll(() => {
  new WebSocketV2({ clientcode: 'A123', jwttoken: 'jwt-A', apikey: 'key-A', feedtype: 'feed-A' }).on('tick', () => (ticks += 1));
});

afterEach(() => {
  for (const sdk of sdks.splice(0)) sdk.close();
  vi.useRealTimers();
});

/** An SDK client as its README sets one up: reconnect after 100 ms, subscribed to one LTP token. */
async function connectedSdk(b: MockBroker): Promise<SmartWebSocketV2> {
  CONSTANTS.websocketURL = b.url;
  const sdk = new WebSocketV2({ clientcode: 'A123', jwttoken: 'jwt-A', apikey: 'key-A', feedtype: 'feed-A' });
  sdks.push(sdk);
  sdk.reconnection('simple', 100);
  await sdk.connect();
  sdk.fetchData({ correlationID: 'abcde12345', action: 1, mode: 1, exchangeType: 1, tokens: ['2885'] });
  await ticksAfter(ticks, 'ticks before the fault');
  return sdk;
}

function ticksAfter(count: number, what: string): Promise<boolean> {
  return waitFor(() => ticks >= count + 5, what, 15_000);
}

const accepted = (b: MockBroker) => b.events().filter((e) => e.type === 'accepted').length;

describe('the smartapi-javascript SDK under faults', () => {
  it.each<[string, Fault]>([
    ['latency', { type: 'latency', ms: 100, jitterMs: 50 }],
    ['bandwidth', { type: 'bandwidth', bytesPerSecond: 4000 }],
    ['fragment', { type: 'fragment', bytes: 5 }],
  ])('keeps receiving ticks under %s', async (_name, fault) => {
    const b = await start();
    await connectedSdk(b);

    b.inject(fault);

    await ticksAfter(ticks, `ticks under ${fault.type}`);
    expect(accepted(b)).toBe(1);
  });

  it('reconnects through 429s while slow-close holds the dropped connection\'s slot', async () => {
    const b = await start({ limit: 1 });
    await connectedSdk(b);

    b.inject({ type: 'slow-close', ms: 600 });
    b.inject({ type: 'drop-all' });

    await waitFor(() => accepted(b) === 2, 'the reconnection', 15_000);
    await ticksAfter(ticks, 'ticks after the reconnection');
    expect(b.stats().rejected['429']).toBeGreaterThan(0);
  });

  it('reconnects through handshake-quota refusals once the window has passed', async () => {
    const b = await start();
    await connectedSdk(b);

    b.inject({ type: 'handshake-quota', perWindow: 1, windowMs: 2000, retryAfterSeconds: 2 });
    b.inject({ type: 'drop-all' });
    await waitFor(() => accepted(b) === 2, 'the first reconnection, within the quota');
    b.inject({ type: 'drop-all' });

    await waitFor(() => accepted(b) === 3, 'the reconnection after the window', 15_000);
    await ticksAfter(ticks, 'ticks after the reconnection');
    expect(b.events().some((e) => e.type === 'rejected' && e.reason === 'handshake-quota fault')).toBe(true);
  });

  it('reconnects after an outage', async () => {
    const b = await start();
    await connectedSdk(b);

    b.inject({ type: 'outage', afterMs: 0, durationMs: 500 });

    await waitFor(() => accepted(b) === 2, 'the reconnection after the outage', 15_000);
    await ticksAfter(ticks, 'ticks after the outage');
  });

  it.each<[string, Fault]>([
    ['half-open', { type: 'half-open' }],
    ['stall', { type: 'stall', ms: 60_000 }],
  ])('notices a %s connection by its 20 s silence watchdog and connects again', async (_name, fault) => {
    const b = await start();
    await connectedSdk(b);
    // The watchdog compares Date.now() with the last message every 5 s; moving Date on 21 s spares the wait.
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });

    b.inject({ ...fault, clientCode: 'A123', probability: 1 });
    const before = accepted(b);
    vi.setSystemTime(Date.now() + 21_000);

    await waitFor(() => accepted(b) === before + 1, 'the watchdog\'s reconnection', 15_000);
    expect(b.events().filter((e) => e.type === 'accepted').map((e) => e.clientCode)).toEqual(['A123', 'A123']);
  });
});
