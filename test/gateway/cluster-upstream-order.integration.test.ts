import { describe, expect, it } from 'vitest';
import instruments from '../../gateway/data/instruments.json' with { type: 'json' };
import { waitFor } from '../support/gateway-harness.ts';
import { clusterRigsPerTest } from '../support/cluster-rig.ts';

const rigs = clusterRigsPerTest(1_000);

describe('gateway --cluster: the order the holder subscribes upstream', () => {
  it('subscribes the cluster-wide union in token order, not in the hash order Redis returns a set in', async () => {
    const { rig } = await rigs.start();
    const equities = instruments.filter((i) => i.exch_seg === 'NSE' && i.instrumenttype === '');
    const client = await rig.connect();
    expect((await client.authenticate()).status).toBe('success');
    const reply = await client.request({ action: 'subscribe', symbols: equities.map((i) => ({ symbol: i.name, exchange: 'NSE' })), mode: 1 });
    expect(reply.status).toBe('success');

    const upstreamTokens = (): string[] => rig.broker.connectionSubscriptions().flatMap((c) => c.subscriptions.map((s) => s.token));
    await waitFor(() => upstreamTokens().length === equities.length, `${equities.length} upstream subscriptions`, 10_000);
    const tokens = equities.map((i) => i.token);
    expect(upstreamTokens()).toEqual([...tokens].sort((a, b) => Number(a) - Number(b)));
    expect(tokens).not.toEqual([...tokens].sort((a, b) => Number(a) - Number(b)));
  });
});
