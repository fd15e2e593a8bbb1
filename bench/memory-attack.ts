import { WebSocket } from 'ws';
import { DEMO_USER } from '../gateway/index.ts';
import type { BrokerStarted } from './broker-process.ts';
import type { GatewayStarted } from './gateway-process.ts';
import { intOption } from './bench-args.ts';
import { spawnBenchProcess } from './process-link.ts';
import type { UsageSample } from './process-usage.ts';
import { MIB, median, sleep } from './summary.ts';
import type { Benchmark, BenchTable } from './table.ts';

/**
 * Issue 13 item 4: clients that send requests but never read the replies. Four such clients attack a
 * gateway in its own process for `seconds`, reconnecting whenever the gateway drops them, as an attacker
 * would: unauthenticated ones send pings with the longest id the gateway echoes; authenticated ones send
 * unsubscribes of 1,400 unknown symbols (each reply ~100 KB). The gateway's RSS is sampled throughout;
 * the baseline is its RSS just before the attack, in the same run.
 */

export const MEMORY_TARGET_GROWTH_MIB = 64;
const ATTACKERS = 4;
const SAMPLE_MS = 250;
/** Attackers pause sending while their own outgoing buffer is this full, so the bench process stays small. */
const ATTACKER_SEND_BUFFER = 1 << 20;

type Mode = 'unauthenticated' | 'authenticated';

interface MemoryRun {
  mode: Mode;
  baselineMiB: number;
  peakMiB: number;
  growthMiB: number;
  framesSent: number;
  connections: number;
}

function attackFrame(mode: Mode): string {
  if (mode === 'unauthenticated') return JSON.stringify({ action: 'ping', _pingId: 'p'.repeat(120) });
  const symbols = Array.from({ length: 1_400 }, (_, i) => ({ symbol: `X${i}`, exchange: 'NSE' }));
  return JSON.stringify({ action: 'unsubscribe', symbols, mode: 1 });
}

/** One attacker: connects, optionally authenticates, stops reading, floods; reconnects when dropped. */
async function attack(url: string, mode: Mode, until: number, counts: { frames: number; connections: number }): Promise<void> {
  const frame = attackFrame(mode);
  while (Date.now() < until) {
    const ws = new WebSocket(url);
    ws.on('error', () => undefined);
    const opened = await new Promise<boolean>((resolve) => {
      ws.once('open', () => resolve(true));
      ws.once('close', () => resolve(false));
    });
    if (!opened) continue;
    counts.connections += 1;
    if (mode === 'authenticated') {
      ws.send(JSON.stringify({ action: 'authenticate', api_key: DEMO_USER.apiKey }));
      await new Promise((resolve) => ws.once('message', resolve));
    }
    (ws as unknown as { _socket: { pause(): void } })._socket.pause();
    while (ws.readyState === ws.OPEN && Date.now() < until) {
      if (ws.bufferedAmount > ATTACKER_SEND_BUFFER) {
        await sleep(5);
        continue;
      }
      for (let i = 0; i < 20; i++) ws.send(frame);
      counts.frames += 20;
      await new Promise((resolve) => setImmediate(resolve));
    }
    ws.terminate();
  }
}

async function runMemoryOnce(mode: Mode, seconds: number): Promise<MemoryRun> {
  const broker = spawnBenchProcess(new URL('./broker-process.ts', import.meta.url));
  const gateway = spawnBenchProcess(new URL('./gateway-process.ts', import.meta.url));
  try {
    const { url: brokerUrl } = await broker.request<BrokerStarted>('start', { tickMs: 100, limit: 2 });
    const { url } = await gateway.request<GatewayStarted>('start', { brokerUrl, registry: 'singleton' });
    await sleep(500);
    const baseline = (await gateway.request<UsageSample>('usage')).rssBytes;
    let peak = baseline;
    const until = Date.now() + seconds * 1000;
    const counts = { frames: 0, connections: 0 };
    const attackers = Array.from({ length: ATTACKERS }, () => attack(url, mode, until, counts));
    while (Date.now() < until) {
      await sleep(SAMPLE_MS);
      peak = Math.max(peak, (await gateway.request<UsageSample>('usage')).rssBytes);
    }
    await Promise.all(attackers);
    return {
      mode,
      baselineMiB: baseline / MIB,
      peakMiB: peak / MIB,
      growthMiB: (peak - baseline) / MIB,
      framesSent: counts.frames,
      connections: counts.connections,
    };
  } finally {
    await Promise.all([gateway.stop(), broker.stop()]);
  }
}

export const memoryAttack: Benchmark = {
  name: 'memory-attack',
  description: 'gateway RSS growth under 4 clients that never read, unauthenticated and authenticated (issue 13 item 4)',
  async run(args: string[]): Promise<BenchTable> {
    const seconds = intOption(args, 'memory-seconds', 30);
    const runs: MemoryRun[] = [];
    for (const mode of ['unauthenticated', 'authenticated'] as const) {
      const run = await runMemoryOnce(mode, seconds);
      process.stderr.write(`memory-attack ${mode}: RSS ${run.baselineMiB.toFixed(0)} → peak ${run.peakMiB.toFixed(0)} MiB\n`);
      runs.push(run);
    }
    const fmt = (n: number) => n.toFixed(1);
    return {
      title: `Gateway RSS under ${ATTACKERS} non-reading clients for ${seconds} s`,
      columns: ['clients', 'baseline MiB', 'peak MiB', 'growth MiB', 'peak/baseline', 'frames sent', 'connections', 'target'],
      rows: runs.map((r) => [
        r.mode,
        fmt(r.baselineMiB),
        fmt(r.peakMiB),
        fmt(r.growthMiB),
        `${(r.peakMiB / r.baselineMiB).toFixed(2)}x`,
        r.framesSent,
        r.connections,
        `growth ≤ ${MEMORY_TARGET_GROWTH_MIB}`,
      ]),
      notes: [
        ...runs.map(
          (r) => `${r.mode}: growth ${fmt(r.growthMiB)} MiB ${r.growthMiB <= MEMORY_TARGET_GROWTH_MIB ? 'meets' : 'MISSES'} the ${MEMORY_TARGET_GROWTH_MIB} MiB target`,
        ),
        `median growth ${fmt(median(runs.map((r) => r.growthMiB)))} MiB; baseline is the same gateway's RSS just before its attack`,
      ],
      data: { seconds, runs },
    };
  },
};
