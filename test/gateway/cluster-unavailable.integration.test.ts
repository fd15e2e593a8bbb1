import { describe, expect, it } from 'vitest';
import { ClusterLogEvent } from '../../gateway/cluster/cluster-log.ts';
import { BrokerState } from '../../protocol/openalgo/index.ts';
import { USER, waitFor } from '../support/gateway-harness.ts';
import { freePort } from '../support/free-port.ts';
import { clusterRigsPerTest, gatewayHealth } from '../support/cluster-rig.ts';
import { stormcheck } from '../support/run-stormcheck.ts';

const rigs = clusterRigsPerTest(900);

describe('gateway --cluster when Redis is unavailable', () => {
  it('exits 2 with one line when Redis cannot be reached at start-up', async () => {
    const port = await freePort();
    const result = await stormcheck(['gateway', '--port', '0', '--admin-port', '0', '--cluster', `redis://127.0.0.1:${port}/0`]);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`cannot reach Redis at redis://127.0.0.1:${port}/0`);
  });

  it('keeps serving while the lease is valid, then closes the upstream and reports cluster-unavailable; resumes when Redis is back', async () => {
    const { rig, redis } = await rigs.start();
    const client = await rig.connect();
    await client.authenticate();
    await client.request({ action: 'subscribe', symbol: 'SBIN', exchange: 'NSE', mode: 1 });
    await waitFor(() => client.marketData().length > 0, 'first ticks');

    const health = await gatewayHealth(rig.gateway);
    expect(health.cluster).toMatchObject({ gatewayId: 'gw-a', redis: 'up', failovers: 0 });
    expect(health.cluster.leases).toEqual([
      expect.objectContaining({ user: 'trader1', broker: 'angel', holder: 'self', token: expect.any(Number), redis: 'up' }),
    ]);
    const metrics = await (await fetch(`${rig.gateway.adminUrl}/metrics`)).text();
    expect(metrics).toContain('stormcheck_cluster_lease_acquisitions_total 1');

    const stoppedAt = Date.now();
    await redis.stop();
    await waitFor(() => rig.broker.events().find((e) => e.type === 'closed' && e.time >= stoppedAt), 'the upstream to close');
    const notice = await waitFor(() => client.received.find((m) => m.type === 'broker_status' && m.state === BrokerState.clusterUnavailable), 'cluster-unavailable');
    expect(notice).toMatchObject({ broker: 'angel', user_id: USER.userId, message: expect.stringContaining('Redis is unreachable') });
    // 'expired', not 'taken': a failed renewal left the upstream open until the lease's validity ran out.
    expect(rig.logs.records().filter((r) => r.event === ClusterLogEvent.leaseLost)).toEqual([expect.objectContaining({ reason: 'expired' })]);
    expect(rig.broker.events().filter((e) => e.type === 'accepted')).toHaveLength(1);

    await redis.restart();
    const mark = client.received.length;
    await waitFor(() => client.received.slice(mark).some((m) => m.type === 'market_data'), 'ticks once Redis is back', 15_000);
    expect(rig.broker.stats().peak[USER.clientCode]).toBe(1);
  }, 30_000);
});
