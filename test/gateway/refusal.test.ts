import { afterEach, describe, expect, it } from 'vitest';
import { GATEWAY_DEFAULTS } from '../../gateway/index.ts';
import { startRig, USER, waitFor, type Rig } from '../support/gateway-harness.ts';
import { closeAllClients, connect } from '../support/mock-broker-client.ts';

/**
 * Issue 13 items 1–3: another application holds the user's broker slots. The mock (limit 2) is filled by
 * two "other app" sockets of the same client code, so the gateway's handshakes get real 429s until one
 * of them leaves.
 */

let rig: Rig | undefined;
afterEach(async () => {
  closeAllClients();
  await rig?.close();
  rig = undefined;
});

const OTHER_APP = { clientCode: USER.clientCode, apiKey: USER.brokerApiKey, feedToken: USER.feedToken, authToken: USER.authToken };

async function fillSlots(r: Rig): Promise<Awaited<ReturnType<typeof connect>>[]> {
  return [await connect(r.broker.url, OTHER_APP), await connect(r.broker.url, OTHER_APP)];
}

const rejected = (r: Rig): number => r.broker.stats().rejected['429'];

describe('singleton gateway while another application holds the broker slots', () => {
  it('answers auth at once, reports the refusal in broker_status, marks subscriptions pending and never closes the client as unauthenticated', async () => {
    rig = await startRig({ clientLimits: { authTimeoutMs: 150 } });
    const others = await fillSlots(rig);
    const client = await rig.connect();

    const auth = await client.authenticate();
    expect(auth).toMatchObject({ type: 'auth', status: 'success', user_id: USER.userId });
    const sub = await client.request({ action: 'subscribe', symbol: 'SBIN', exchange: 'NSE', mode: 1 });
    expect(sub.subscriptions[0]).toMatchObject({ symbol: 'SBIN', status: 'pending' });

    const refused = await client.brokerState('refused-retrying');
    expect(refused).toMatchObject({ type: 'broker_status', broker: 'angel', user_id: USER.userId, http_status: 429 });
    expect(refused.retry_in_ms).toBeGreaterThanOrEqual(40);
    expect(refused.retry_in_ms).toBeLessThanOrEqual(60);
    expect(client.brokerStatuses()[0]!.state).toBe('connecting');
    // Past the 150 ms auth timeout while still refused: a valid key keeps the connection.
    await waitFor(() => rejected(rig!) >= 5, 'five refusals, well past the auth timeout');
    expect(client.closeCode).toBeUndefined();

    others[0]!.ws.close();
    await client.brokerState('open');
    await waitFor(() => client.marketData().some((m) => m.symbol === 'SBIN'), 'ticks once the slot is free');
    expect(rig.broker.stats().peak[USER.clientCode]).toBe(2);
  });

  it('429s never exhaust --max-reconnect: the gateway keeps retrying at the paced rate until the slot frees', async () => {
    rig = await startRig({ maxReconnect: 2 });
    const others = await fillSlots(rig);
    const client = await rig.connect();
    await client.authenticate();
    await waitFor(() => rejected(rig!) >= 6, 'six refusals, three times --max-reconnect');
    expect(client.brokerStatuses().some((m) => m.state === 'failed')).toBe(false);
    const delays = rig.logs.records().filter((r) => r.event === 'upstream.backoff').map((r) => r.delayMs as number);
    expect(delays.every((d) => d >= 40 && d <= 60)).toBe(true);

    others[1]!.ws.close();
    await client.brokerState('open');
    expect(rig.gateway.health().adapters[0]).toMatchObject({ state: 'open', upstreamConnections: 1 });
  });

  it('dials only on demand: the last client leaving stops the retry cycle, the next one starts it again', async () => {
    rig = await startRig();
    await fillSlots(rig);
    const client = await rig.connect();
    await client.authenticate();
    await waitFor(() => rejected(rig!) >= 2, 'refusals while a client wants data');
    client.ws.close();
    await waitFor(() => rig!.logs.count('upstream.pause') === 1, 'the adapter to stop retrying');
    const whenPaused = rejected(rig);
    // Ten 429 intervals (40–60 ms each) of quiet: nobody wants data, so nothing dials.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(rejected(rig)).toBe(whenPaused);
    expect(rig.gateway.health().adapters[0]).toMatchObject({ state: 'idle', clients: 0, upstreamConnections: 0 });

    const next = await rig.connect();
    await next.authenticate();
    await waitFor(() => rejected(rig!) > whenPaused, 'a new cycle for the new client');
    expect(rig.logs.count('adapter.create')).toBe(1);
  });

  it('an open adapter lingers 5 minutes by default, so client churn never becomes upstream churn', async () => {
    expect(GATEWAY_DEFAULTS.lingerMs).toBe(300_000);
    rig = await startRig({ lingerMs: GATEWAY_DEFAULTS.lingerMs });
    for (let i = 0; i < 3; i++) {
      const client = await rig.connect();
      await client.authenticateOpen();
      client.ws.close();
      await waitFor(() => rig!.logs.count('client.disconnect') === i + 1, 'the disconnect');
    }
    expect(rig.broker.stats().accepted).toBe(1);
    expect(rig.logs.count('adapter.linger')).toBe(0);
    expect(rig.gateway.health().adapters[0]).toMatchObject({ state: 'open', clients: 0, upstreamConnections: 1 });
  });
});
