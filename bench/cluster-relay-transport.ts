import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { RedisServer } from '../test/support/redis-server.ts';
import { intOption } from './bench-args.ts';
import { LatencyHistogram } from './latency-histogram.ts';
import { median, sleep } from './summary.ts';
import type { Benchmark } from './table.ts';

/**
 * Issue 16 asks for pub/sub vs streams to be chosen by measured latency and loss. Both carry the same
 * relay-sized messages at the same rate on one redis-server in the same run; halfway through, the
 * receiving connection is killed (CLIENT KILL), as a Redis failover or a network blip would, and
 * each transport's reconnect logic (ioredis resubscribe; XREAD from the last id seen) takes over.
 * Latency is send → receive on one clock (publisher and receiver share this process), in 0.1 ms steps.
 */

type Transport = 'pubsub' | 'streams';

interface TransportRun {
  transport: Transport;
  sent: number;
  received: number;
  lost: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

const CHANNEL = 'stormcheck:bench:relay';
/** 0.1 ms resolution: the histogram counts whole units. */
const UNITS_PER_MS = 10;
/** Keeps the stream bounded like a production relay would (the newest ~10 s at 100 messages/s). */
const STREAM_MAXLEN = 1_000;

/** A relay-sized message: sequence number, send time, then padding standing in for the ticks. */
function message(seq: number, bytes: number): Buffer {
  const buf = Buffer.alloc(Math.max(16, bytes));
  buf.writeUInt32BE(seq, 0);
  buf.writeDoubleBE(performance.now(), 4);
  return buf;
}

class Receipts {
  readonly histogram = new LatencyHistogram();
  private readonly seen = new Set<number>();

  record(buf: Buffer): void {
    const seq = buf.readUInt32BE(0);
    if (this.seen.has(seq)) return;
    this.seen.add(seq);
    this.histogram.record(Math.round((performance.now() - buf.readDoubleBE(4)) * UNITS_PER_MS));
  }

  get count(): number {
    return this.seen.size;
  }
}

interface Receiver {
  kill(admin: Redis): Promise<void>;
  stop(): void;
}

async function pubsubReceiver(url: string, receipts: Receipts): Promise<Receiver> {
  const sub = new Redis(url);
  sub.on('error', () => undefined);
  sub.on('messageBuffer', (_channel: Buffer, msg: Buffer) => receipts.record(msg));
  await sub.subscribe(CHANNEL);
  return {
    kill: async (admin) => void (await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub')),
    stop: () => sub.disconnect(),
  };
}

async function streamReceiver(url: string, receipts: Receipts): Promise<Receiver> {
  const reader = new Redis(url);
  reader.on('error', () => undefined);
  let lastId = '$';
  let running = true;
  const id = String(await reader.client('ID'));
  void (async () => {
    while (running) {
      try {
        const reply = (await reader.xreadBuffer('BLOCK', 1_000, 'STREAMS', CHANNEL, lastId)) as [Buffer, [Buffer, Buffer[]][]][] | null;
        for (const [, entries] of reply ?? []) {
          for (const [entryId, fields] of entries) {
            lastId = entryId.toString();
            receipts.record(fields[1]!);
          }
        }
      } catch {
        // Killed connection: ioredis reconnects; the next XREAD resumes after lastId.
        await sleep(10);
      }
    }
  })();
  return {
    kill: async (admin) => void (await admin.call('CLIENT', 'KILL', 'ID', id)),
    stop: () => {
      running = false;
      reader.disconnect();
    },
  };
}

async function runTransport(url: string, transport: Transport, perSecond: number, seconds: number, bytes: number): Promise<TransportRun> {
  const publisher = new Redis(url);
  const admin = new Redis(url);
  const receipts = new Receipts();
  const receiver = transport === 'pubsub' ? await pubsubReceiver(url, receipts) : await streamReceiver(url, receipts);
  await sleep(100);
  const total = perSecond * seconds;
  const intervalMs = 1_000 / perSecond;
  const start = performance.now();
  for (let seq = 0; seq < total; seq++) {
    const due = start + seq * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const msg = message(seq, bytes);
    if (transport === 'pubsub') void publisher.publish(CHANNEL, msg);
    else void publisher.xadd(CHANNEL, 'MAXLEN', '~', STREAM_MAXLEN, '*', 'm', msg);
    if (seq === Math.floor(total / 2)) void receiver.kill(admin).catch(() => undefined);
  }
  await sleep(1_000);
  receiver.stop();
  await publisher.del(CHANNEL);
  publisher.disconnect();
  admin.disconnect();
  const h = receipts.histogram;
  return {
    transport,
    sent: total,
    received: receipts.count,
    lost: total - receipts.count,
    p50Ms: h.percentile(50) / UNITS_PER_MS,
    p99Ms: h.percentile(99) / UNITS_PER_MS,
    maxMs: h.max / UNITS_PER_MS,
  };
}

export const clusterRelayTransport: Benchmark = {
  name: 'cluster-relay',
  description: 'Redis pub/sub vs streams for the relay: send → receive latency and messages lost across a killed reader connection (~1 min)',
  async run(args) {
    const runs = intOption(args, 'runs', 3);
    const perSecond = intOption(args, 'messages-per-sec', 100);
    const seconds = intOption(args, 'seconds', 8);
    const bytes = intOption(args, 'message-bytes', 5_000);
    const before = os.loadavg();
    const redis = await RedisServer.start();
    const results: TransportRun[] = [];
    try {
      for (let i = 0; i < runs; i++) {
        // Alternate the order so neither transport always runs on a warmer (or busier) machine.
        const order: Transport[] = i % 2 === 0 ? ['pubsub', 'streams'] : ['streams', 'pubsub'];
        for (const transport of order) {
          const run = await runTransport(redis.url, transport, perSecond, seconds, bytes);
          results.push(run);
          process.stderr.write(`bench: cluster-relay run ${i + 1}/${runs} ${transport}: p50 ${run.p50Ms} ms p99 ${run.p99Ms} ms, lost ${run.lost}/${run.sent}\n`);
        }
      }
    } finally {
      await redis.stop();
    }
    const after = os.loadavg();
    const of = (t: Transport) => results.filter((r) => r.transport === t);
    const m = (t: Transport, pick: (r: TransportRun) => number) => median(of(t).map(pick));
    const rows = results.map((r, i) => [`run ${Math.floor(i / 2) + 1} ${r.transport}`, r.sent, r.received, r.lost, r.p50Ms, r.p99Ms, r.maxMs]);
    for (const t of ['pubsub', 'streams'] as const) {
      rows.push([`median ${t}`, m(t, (r) => r.sent), m(t, (r) => r.received), m(t, (r) => r.lost), m(t, (r) => r.p50Ms), m(t, (r) => r.p99Ms), m(t, (r) => r.maxMs)]);
    }
    return {
      title: `cluster-relay: ${perSecond} messages/s of ${bytes} B for ${seconds} s per transport, reader connection killed halfway (${runs} runs)`,
      columns: ['transport', 'sent', 'received', 'lost', 'p50 ms', 'p99 ms', 'max ms'],
      rows,
      notes: [
        `p99 ratio streams / pub/sub ${(m('streams', (r) => r.p99Ms) / m('pubsub', (r) => r.p99Ms)).toFixed(2)}; ` +
          'lost = messages published while the reader reconnected (pub/sub drops them; a stream replays them late)',
        `load average (1/5/15 min) before ${before.map((l) => l.toFixed(2)).join(' ')}, after ${after.map((l) => l.toFixed(2)).join(' ')}`,
      ],
      data: { results },
    };
  },
};
