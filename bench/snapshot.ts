import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { DEMO_USER, startGateway, type Instrument } from '../gateway/index.ts';
import { startMockBroker } from '../mock-broker/index.ts';
import { OpenAlgoMode } from '../protocol/openalgo/index.ts';
import { intOption } from './bench-args.ts';
import { BenchClient } from './openalgo-client.ts';
import { median, sleep } from './summary.ts';
import { syntheticInstruments, syntheticSymbol } from './synthetic-instruments.ts';
import type { Benchmark, BenchTable } from './table.ts';

/**
 * Last value on subscribe (docs/gateway.md#last-value-on-subscribe): while the broker sends nothing at
 * all (a stall), how long a new subscriber waits for its first market_data, against the time to its
 * subscribe reply in the same round, which is the floor any answer has. Broker, gateway and clients run
 * in this one process; the ratio, not the absolute figure, is the point.
 */

const TOKENS = 200;
const TARGET_MS = 50;

interface Round {
  replyMs: number;
  firstDataMs: number;
}

async function measureRounds(rounds: number): Promise<Round[]> {
  const instruments: Instrument[] = syntheticInstruments(TOKENS);
  const broker = await startMockBroker({ port: 0, tickMs: 100, logLevel: 'silent' });
  const gateway = await startGateway({ port: 0, adminPort: 0, brokerUrl: broker.url, instruments, logLevel: 'silent' });
  const clients: BenchClient[] = [];
  try {
    const feeder = new BenchClient(gateway.url, () => undefined);
    clients.push(feeder);
    await feeder.opened;
    await feeder.authenticate(DEMO_USER.apiKey);
    await feeder.subscribe(Array.from({ length: TOKENS }, (_, i) => syntheticSymbol(i)), 'NSE', OpenAlgoMode.LTP);
    await sleep(1_000);
    broker.inject({ type: 'stall', ms: 10 * 60_000 });
    await sleep(300);
    const out: Round[] = [];
    for (let i = 0; i < rounds; i++) {
      let firstAt = 0;
      const client = new BenchClient(gateway.url, () => {
        if (firstAt === 0) firstAt = performance.now();
      });
      clients.push(client);
      await client.opened;
      await client.authenticate(DEMO_USER.apiKey);
      const sent = performance.now();
      await client.subscribe([syntheticSymbol(i % TOKENS)], 'NSE', OpenAlgoMode.LTP);
      const replied = performance.now();
      while (firstAt === 0 && performance.now() - sent < 5_000) await new Promise((resolve) => setImmediate(resolve));
      out.push({ replyMs: replied - sent, firstDataMs: firstAt === 0 ? Number.POSITIVE_INFINITY : firstAt - sent });
      client.close();
    }
    return out;
  } finally {
    for (const c of clients) c.close();
    await gateway.close();
    await broker.close();
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const snapshot: Benchmark = {
  name: 'snapshot',
  description: 'subscribe → first market_data while the broker sends nothing (last value on subscribe), 200 rounds × 3 runs (~15 s)',
  async run(args) {
    const runs = intOption(args, 'runs', 3);
    const before = os.loadavg();
    const rows: (string | number)[][] = [];
    const medians: { reply: number; data: number; p99: number }[] = [];
    for (let r = 0; r < runs; r++) {
      const rounds = await measureRounds(200);
      const data = rounds.map((x) => x.firstDataMs);
      const reply = rounds.map((x) => x.replyMs);
      const m = { reply: median(reply), data: median(data), p99: percentile(data, 99) };
      medians.push(m);
      rows.push([`run ${r + 1}`, m.reply.toFixed(2), m.data.toFixed(2), m.p99.toFixed(2), (m.data / m.reply).toFixed(2), data.filter((d) => !Number.isFinite(d)).length]);
    }
    const data = median(medians.map((m) => m.data));
    const p99 = median(medians.map((m) => m.p99));
    const reply = median(medians.map((m) => m.reply));
    rows.push(['median', reply.toFixed(2), data.toFixed(2), p99.toFixed(2), (data / reply).toFixed(2), '']);
    return {
      title: `snapshot: subscribe → first market_data with the broker silent (${runs} runs of 200 subscribes, medians)`,
      columns: ['run', 'subscribe reply ms (p50)', 'first data ms (p50)', 'first data ms (p99)', 'first data / reply', 'no data in 5 s'],
      rows,
      notes: [
        `${p99 <= TARGET_MS ? 'target met' : 'target MISSED'}: p99 first data ${p99.toFixed(2)} ms (target < ${TARGET_MS} ms); without the last value a new subscriber gets nothing until the broker ticks again`,
        'broker stalled (no ticks, no pongs) after 1 s of ticks on all 200 tokens; each round a fresh client authenticates, then subscribes one symbol; times from sending the subscribe',
        `load average (1/5/15 min) before ${before.map((l) => l.toFixed(2)).join(' ')}, after ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
      ],
      data: medians,
    } satisfies BenchTable;
  },
};
