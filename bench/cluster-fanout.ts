import os from 'node:os';
import { RedisServer } from '../test/support/redis-server.ts';
import { CLUSTER_DEFAULTS } from '../gateway/cluster/cluster-registry.ts';
import { intOption } from './bench-args.ts';
import type { GatewayHealth } from '../gateway/admin-http.ts';
import { FANOUT_DEFAULTS, runFanoutOnce, type FanoutConfig, type FanoutGateways, type FanoutInspection, type FanoutRun } from './fanout.ts';
import { LatencyHistogram } from './latency-histogram.ts';
import { bucketPercentile, mergeHistograms, readHistogram } from './prometheus-histogram.ts';
import { median, sleep } from './summary.ts';
import type { Benchmark } from './table.ts';

/**
 * Issue 16: fan-out through three `--cluster` gateways (the lease holder on one, ticks relayed to the
 * other two over Redis pub/sub) against one plain gateway in the same run, same load, same client
 * processes. The figure that matters is the p99 the Redis hop adds.
 */

const GATEWAYS = 3;
export const CLUSTER_FANOUT_TARGETS = { deliveredPercent: 99, addedP99Ms: 10 } as const;

/**
 * Where the cluster's extra latency comes from, within one cluster run: the lease holder's own clients
 * pay for the CPU three gateways share but not for Redis; the other gateways' clients pay for both. So
 * holder − single is contention, relayed − holder is the hop, and the relay lag (publish → receive,
 * from the receiving gateways' /metrics) is the hop without the fan-out after it.
 */
interface HopSplit {
  holderP99Ms: number;
  relayedP99Ms: number;
  /** Bucket upper bounds of stormcheck_cluster_pubsub_lag_seconds, in ms. */
  relayLagP50Ms: number;
  relayLagP99Ms: number;
}

interface Pair {
  single: FanoutRun;
  cluster: FanoutRun;
  split: HopSplit;
}

const LAG_METRIC = 'stormcheck_cluster_pubsub_lag_seconds';

async function splitHop({ windows, gateways }: FanoutInspection): Promise<HopSplit> {
  const healths = await Promise.all(gateways.map((g) => g.request<GatewayHealth>('health')));
  const holder = healths.findIndex((h) => h.cluster?.leases.some((l) => l.holder === 'self'));
  const holderClients = new LatencyHistogram();
  const relayedClients = new LatencyHistogram();
  windows.forEach((w, i) => (i % gateways.length === holder ? holderClients : relayedClients).merge(w.latencyPairs, w.latencyMax));
  const lags = await Promise.all(
    gateways.filter((_, i) => i !== holder).map(async (g) => readHistogram(await g.request<string>('metricsText'), LAG_METRIC)),
  );
  const lag = mergeHistograms(lags);
  return {
    holderP99Ms: holderClients.percentile(99),
    relayedP99Ms: relayedClients.percentile(99),
    relayLagP50Ms: bucketPercentile(lag, 50) * 1000,
    relayLagP99Ms: bucketPercentile(lag, 99) * 1000,
  };
}

function clusterTopology(redisUrl: string, ttlMs: number, run: number): FanoutGateways {
  return Array.from({ length: GATEWAYS }, (_, i) => ({ cluster: { url: redisUrl, ttlMs, gatewayId: `bench-${run}-${i}` } }));
}

const fixed = (digits: number) => (value: number): string => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const whole = fixed(0);
const one = fixed(1);

function row(label: string, run: FanoutRun, extra: (string | number)[] = ['', '', '', '', '']): (string | number)[] {
  return [label, whole(run.offeredPerSec), whole(run.deliveredPerSec), one(run.deliveredPercent), whole(run.p50Ms), whole(run.p99Ms), whole(run.maxMs), ...extra, run.upstreamConnections];
}

function splitCells(single: FanoutRun, cluster: FanoutRun, split: HopSplit): (string | number)[] {
  return [
    whole(cluster.p99Ms - single.p99Ms),
    whole(split.holderP99Ms),
    whole(split.relayedP99Ms),
    whole(split.relayedP99Ms - split.holderP99Ms),
    `${split.relayLagP50Ms} / ${split.relayLagP99Ms}`,
  ];
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
        let split: HopSplit | undefined;
        const cluster = await runFanoutOnce(config, 'LTP', clusterTopology(redis.url, ttlMs, i), async (inspection) => {
          split = await splitHop(inspection);
        });
        if (!split) throw new Error('cluster-fanout: the run ended before its gateways could be inspected');
        pairs.push({ single, cluster, split });
        process.stderr.write(
          `bench: cluster-fanout run ${i + 1}/${runs}: single p99 ${single.p99Ms} ms ${one(single.deliveredPercent)} %, ` +
            `cluster p99 ${cluster.p99Ms} ms ${one(cluster.deliveredPercent)} % (holder's clients ${split.holderP99Ms} ms, ` +
            `relayed ${split.relayedP99Ms} ms, relay lag p50/p99 ≤ ${split.relayLagP50Ms}/${split.relayLagP99Ms} ms)\n`,
        );
      }
    } finally {
      await redis.stop();
    }
    const rows: (string | number)[][] = [];
    pairs.forEach(({ single, cluster, split }, i) => {
      rows.push(row(`run ${i + 1} single gateway`, single));
      rows.push(row(`run ${i + 1} 3-gateway cluster`, cluster, splitCells(single, cluster, split)));
    });
    const m = (pick: (p: Pair) => number) => median(pairs.map(pick));
    const delivered = m((p) => p.cluster.deliveredPercent);
    const added = m((p) => p.cluster.p99Ms - p.single.p99Ms);
    const hop = m((p) => p.split.relayedP99Ms - p.split.holderP99Ms);
    rows.push([
      'median single p99 / cluster p99', '', '', one(delivered), '', `${whole(m((p) => p.single.p99Ms))} / ${whole(m((p) => p.cluster.p99Ms))}`, '',
      whole(added), whole(m((p) => p.split.holderP99Ms)), whole(m((p) => p.split.relayedP99Ms)), whole(hop),
      `${m((p) => p.split.relayLagP50Ms)} / ${m((p) => p.split.relayLagP99Ms)}`, '',
    ]);
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
      columns: [
        'set-up', 'offered msg/s', 'delivered msg/s', 'delivered %', 'p50 ms', 'p99 ms', 'max ms', 'added p99 ms',
        "holder's clients p99 ms", 'relayed clients p99 ms', 'hop p99 ms (relayed − holder)', 'relay lag p50 / p99 ms (≤ bucket)', 'upstream',
      ],
      rows,
      notes: [
        missed.length === 0 ? `all targets met (${met.join('; ')})` : `target MISSED: ${missed.join('; ')}; met: ${met.join('; ')}`,
        `lease TTL ${ttlMs} ms; the lease holder is whichever gateway claims first; latency = client receive time − exchange timestamp`,
        `added p99 = cluster − single; of that, the holder's own clients (no Redis) show the CPU contention of three gateways, ` +
          `relayed − holder the Redis hop (median ${whole(hop)} ms); relay lag is publish → receive on the relaying gateways`,
        `load average (1/5/15 min) before ${before.map((l) => l.toFixed(2)).join(' ')}, after ${after.map((l) => l.toFixed(2)).join(' ')}`,
      ],
      data: { config, pairs },
    };
  },
};
