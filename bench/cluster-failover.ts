import os from 'node:os';
import { RedisServer } from '../test/support/redis-server.ts';
import type { MockBrokerStats } from '../mock-broker/index.ts';
import type { GatewayHealth } from '../gateway/admin-http.ts';
import { DEMO_USER } from '../gateway/index.ts';
import { OpenAlgoMode } from '../protocol/openalgo/index.ts';
import { intOption } from './bench-args.ts';
import type { BrokerStarted } from './broker-process.ts';
import type { GatewayStarted } from './gateway-process.ts';
import { BenchClient, marketDataTimestamp } from './openalgo-client.ts';
import { spawnBenchProcess, type BenchProcess } from './process-link.ts';
import { median, sleep } from './summary.ts';
import type { Benchmark } from './table.ts';

/**
 * Issue 16: failover time. Three `--cluster` gateways, one client each; the lease holder is killed
 * with SIGKILL, and the failover time is from the kill to the first tick stamped after it reaching a
 * client on a surviving gateway. A fresh gateway replaces each victim, so every kill finds three.
 */

const GATEWAYS = 3;
const DEFAULT_TTL_MS = 2_000;
const DEADLINE_MS = 30_000;

interface Member {
  process: BenchProcess;
  client: BenchClient;
  /** Highest exchange timestamp this member's client has received. */
  latest: number;
}

async function waitUntil<T>(probe: () => Promise<T | undefined> | T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`cluster-failover: timed out waiting for ${what}`);
    await sleep(10);
  }
}

async function startMember(brokerUrl: string, redisUrl: string, ttlMs: number, id: string): Promise<Member> {
  const process = spawnBenchProcess(new URL('./gateway-process.ts', import.meta.url));
  const { url } = await process.request<GatewayStarted>('start', { brokerUrl, registry: 'singleton', cluster: { url: redisUrl, ttlMs, gatewayId: id } });
  const member: Member = { process, client: undefined as unknown as BenchClient, latest: 0 };
  member.client = new BenchClient(url, (frame) => {
    member.latest = Math.max(member.latest, marketDataTimestamp(frame));
  });
  await member.client.opened;
  await member.client.authenticate(DEMO_USER.apiKey);
  await member.client.subscribe(['SBIN'], 'NSE', OpenAlgoMode.LTP);
  return member;
}

async function holderOf(members: Member[]): Promise<Member | undefined> {
  const healths = await Promise.all(members.map((m) => m.process.request<GatewayHealth>('health')));
  const holders = members.filter((_, i) => healths[i]!.cluster?.leases.some((l) => l.holder === 'self'));
  return holders.length === 1 ? holders[0] : undefined;
}

export const clusterFailover: Benchmark = {
  name: 'cluster-failover',
  description: 'SIGKILL the lease holder of 3 --cluster gateways, N times: failover time median and max (~10 s per kill)',
  async run(args) {
    const kills = intOption(args, 'kills', 10);
    const ttlMs = intOption(args, 'lease-ttl-ms', DEFAULT_TTL_MS);
    const before = os.loadavg();
    const redis = await RedisServer.start();
    const broker = spawnBenchProcess(new URL('./broker-process.ts', import.meta.url));
    const members: Member[] = [];
    const times: number[] = [];
    let peak = 0;
    try {
      const { url: brokerUrl } = await broker.request<BrokerStarted>('start', { tickMs: 100, limit: 2 });
      for (let i = 0; i < GATEWAYS; i++) members.push(await startMember(brokerUrl, redis.url, ttlMs, `failover-${i}`));
      for (let k = 0; k < kills; k++) {
        const holder = await waitUntil(() => holderOf(members), 'one lease holder');
        await waitUntil(() => (members.every((m) => m.latest > 0) ? true : undefined), 'ticks on every gateway');
        const survivors = members.filter((m) => m !== holder);
        const killedAt = Date.now();
        process.kill(holder.process.pid, 'SIGKILL');
        const resumedAt = await waitUntil(() => (survivors.some((m) => m.latest > killedAt) ? Date.now() : undefined), 'ticks after the kill');
        times.push(resumedAt - killedAt);
        process.stderr.write(`bench: cluster-failover kill ${k + 1}/${kills}: ${resumedAt - killedAt} ms\n`);
        holder.client.close();
        members.splice(members.indexOf(holder), 1);
        members.push(await startMember(brokerUrl, redis.url, ttlMs, `failover-${GATEWAYS + k}`));
      }
      peak = (await broker.request<MockBrokerStats>('stats')).peak[DEMO_USER.clientCode] ?? 0;
    } finally {
      for (const m of members) m.client.close();
      await Promise.all(members.map((m) => m.process.stop()));
      await broker.stop();
      await redis.stop();
    }
    const after = os.loadavg();
    const target = ttlMs + 2_000;
    const med = median(times);
    const max = Math.max(...times);
    return {
      title: `cluster-failover: SIGKILL of the lease holder among ${GATEWAYS} gateways, ${kills} kills, lease TTL ${ttlMs} ms`,
      columns: ['kills', 'median ms', 'max ms', 'every kill ms', 'peak upstream connections'],
      rows: [[kills, Math.round(med), max, times.join(' '), peak]],
      notes: [
        max <= target && peak <= 1
          ? `all targets met (max ${max} ms ≤ TTL + 2 s = ${target} ms; never more than 1 upstream connection)`
          : `target MISSED: max ${max} ms (target ≤ ${target} ms), peak upstream connections ${peak} (must be 1)`,
        'failover time = SIGKILL → first tick stamped after it at a client of a surviving gateway (lease expiry + claim tick + connect + subscribe + relay)',
        `load average (1/5/15 min) before ${before.map((l) => l.toFixed(2)).join(' ')}, after ${after.map((l) => l.toFixed(2)).join(' ')}`,
      ],
      data: { kills, ttlMs, times, peak },
    };
  },
};
