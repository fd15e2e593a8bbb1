import os from 'node:os';
import { RedisServer } from '../fixtures/redis/redis-server.ts';
import { CLUSTER_DEFAULTS } from '../gateway/cluster/cluster-registry.ts';
import { intOption } from './bench-args.ts';
import { FANOUT_DEFAULTS, runFanoutOnce, type FanoutConfig, type FanoutGateways, type FanoutRun } from './fanout.ts';
import { median, sleep } from './summary.ts';
import type { Benchmark } from './table.ts';

/**
 * Issue 16: fan-out through three `--cluster` gateways (the lease holder on one, ticks relayed to the
 * other two over Redis pub/sub) against one plain gateway in the same run, same load, same client
 * processes. The figure that matters is the p99 the Redis hop adds.
 */

const GATEWAYS = 3;
export const CLUSTER_FANOUT_TARGETS = { deliveredPercent: 99, addedP99Ms: 10 } as const;

interface Pair {
  single: FanoutRun;
  cluster: FanoutRun;
}

function clusterTopology(redisUrl: string, ttlMs: number, run: number): FanoutGateways {
  return Array.from({ length: GATEWAYS }, (_, i) => ({ cluster: { url: redisUrl, ttlMs, gatewayId: `bench-${run}-${i}` } }));
}

const fixed = (digits: number) => (value: number): string => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const whole = fixed(0);
const one = fixed(1);

function row(label: string, run: FanoutRun, addedP99?: number): (string | number)[] {
  return [label, whole(run.offeredPerSec), whole(run.deliveredPerSec), one(run.deliveredPercent), whole(run.p50Ms), whole(run.p99Ms), whole(run.maxMs), addedP99 === undefined ? '' : whole(addedP99), run.upstreamConnections];
}

export const clusterFanout: Benchmark = {
  name: 'cluster-fanout',
  description: '1000 tokens × 10 ticks/s to 200 clients spread over 3 --cluster gateways vs one gateway, LTP (~1 min per run)',
  async run(args) {
    const runs = intOption(args, 'runs', 3);
    const ttlMs = intOption(args, 'lease-ttl-ms', CLUSTER_DEFAULTS.ttlMs);
    // Three client processes in both set-ups, so client process i talks to gateway i in the cluster.
    const config: FanoutConfig = { ...FANOUT_DEFAULTS, clientProcesses: GATEWAYS, warmupMs: FANOUT_DEFAULTS.warmupMs + ttlMs, runs };
    const before = os.loadavg();
    const redis = await RedisServer.start();
    const pairs: Pair[] = [];
    try {
      // A fresh Redis holds back every claim for one TTL (start-up quarantine); let it pass once.
      await sleep(ttlMs);
      for (let i = 0; i < runs; i++) {
        const single = await runFanoutOnce(config, 'LTP');
        const cluster = await runFanoutOnce(config, 'LTP', clusterTopology(redis.url, ttlMs, i));
        pairs.push({ single, cluster });
        process.stderr.write(
          `bench: cluster-fanout run ${i + 1}/${runs}: single p99 ${single.p99Ms} ms ${one(single.deliveredPercent)} %, ` +
            `cluster p99 ${cluster.p99Ms} ms ${one(cluster.deliveredPercent)} %\n`,
        );
      }
    } finally {
      await redis.stop();
    }
    const rows: (string | number)[][] = [];
    pairs.forEach(({ single, cluster }, i) => {
      rows.push(row(`run ${i + 1} single gateway`, single));
      rows.push(row(`run ${i + 1} 3-gateway cluster`, cluster, cluster.p99Ms - single.p99Ms));
    });
    const m = (pick: (p: Pair) => number) => median(pairs.map(pick));
    const delivered = m((p) => p.cluster.deliveredPercent);
    const added = m((p) => p.cluster.p99Ms - p.single.p99Ms);
    rows.push(['median single p99 / cluster p99', '', '', one(delivered), '', `${whole(m((p) => p.single.p99Ms))} / ${whole(m((p) => p.cluster.p99Ms))}`, '', whole(added), '']);
    const checks = [
      [delivered >= CLUSTER_FANOUT_TARGETS.deliveredPercent, `cluster delivered ${one(delivered)} % (target ≥ ${CLUSTER_FANOUT_TARGETS.deliveredPercent} %)`],
      [added <= CLUSTER_FANOUT_TARGETS.addedP99Ms, `p99 added by the Redis hop ${whole(added)} ms (target ≤ ${CLUSTER_FANOUT_TARGETS.addedP99Ms} ms)`],
      [pairs.every((p) => p.cluster.upstreamConnections === 1), 'one upstream connection for the three gateways'],
    ] as const;
    const missed = checks.filter(([ok]) => !ok).map(([, t]) => t);
    const met = checks.filter(([ok]) => ok).map(([, t]) => t);
    const after = os.loadavg();
    return {
      title: `cluster-fanout: ${config.clients} clients × ${config.symbolsPerClient} symbols over ${GATEWAYS} gateways on Redis vs one gateway (${runs} runs, medians)`,
      columns: ['set-up', 'offered msg/s', 'delivered msg/s', 'delivered %', 'p50 ms', 'p99 ms', 'max ms', 'added p99 ms', 'upstream'],
      rows,
      notes: [
        missed.length === 0 ? `all targets met (${met.join('; ')})` : `target MISSED: ${missed.join('; ')}; met: ${met.join('; ')}`,
        `lease TTL ${ttlMs} ms; the lease holder is whichever gateway claims first; latency = client receive time − exchange timestamp`,
        `load average (1/5/15 min) before ${before.map((l) => l.toFixed(2)).join(' ')}, after ${after.map((l) => l.toFixed(2)).join(' ')}`,
      ],
      data: { config, pairs },
    };
  },
};
