import { afterEach, describe, expect, it } from 'vitest';
import { startRig, waitFor, type Rig } from './gateway-harness.ts';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('singleton registry against the mock broker (limit 2)', () => {
  it('50 clients of one user authenticating at once share one adapter and one upstream connection', async () => {
    rig = await startRig();
    const clients = await Promise.all(Array.from({ length: 50 }, () => rig!.connect()));
    const replies = await Promise.all(clients.map((c) => c.authenticate()));
    expect(replies.every((r) => r.status === 'success' && r.type === 'auth')).toBe(true);

    expect(rig.logs.count('adapter.create')).toBe(1);
    expect(rig.logs.count('adapter.reuse')).toBe(49);
    const stats = rig.broker.stats();
    expect(stats.peak['T1001']).toBe(1);
    expect(stats.accepted).toBe(1);
    expect(stats.rejected['429']).toBe(0);
  });

  it('subscribed clients receive market data in rupees', async () => {
    rig = await startRig();
    const client = await rig.connect();
    await client.authenticate();
    const reply = await client.request({ action: 'subscribe', symbol: 'RELIANCE', exchange: 'NSE', mode: 1 });
    expect(reply.status).toBe('success');
    const tick = await waitFor(() => client.marketData()[0], 'a market_data push');
    expect(tick).toMatchObject({ type: 'market_data', symbol: 'RELIANCE', exchange: 'NSE', mode: 1, broker: 'angel' });
    expect(typeof tick.data.ltp).toBe('number');
  });
});
