import os from 'node:os';
import { DEMO_USER } from '../gateway/index.ts';
import type { ClusterOptions } from '../gateway/cluster/cluster-registry.ts';
import { OpenAlgoMode, type OpenAlgoModeCode } from '../protocol/openalgo/index.ts';
import type { MockBrokerStats } from '../mock-broker/index.ts';
import type { BrokerStarted, TicksSample } from './broker-process.ts';
import type { ClientsConnected, ClientsWindow } from './fanout-clients.ts';
import type { GatewayStarted } from './gateway-process.ts';
import { LatencyHistogram } from './latency-histogram.ts';
import { gatewayProfileArgv, intOption } from './bench-args.ts';
import { spawnBenchProcess, type BenchProcess } from './process-link.ts';
import { cpuPercent, type UsageSample } from './process-usage.ts';
import { MIB, median, sleep } from './summary.ts';
import { syntheticSymbol } from './synthetic-instruments.ts';
import type { Benchmark, BenchTable } from './table.ts';

/**
 * Benchmark 2 (docs/benchmarks.md#gateway-benchmarks): tick fan-out. A mock broker streams `tokens` tokens
 * every `tickMs` through one gateway (one upstream connection) to `clients` clients of `symbolsPerClient`
 * symbols each. The mock, the gateway and the clients each run in their own process(es); the gateway's CPU
 * and RSS are its own.
 */

export interface FanoutConfig {
  /** Extra node flags for the gateway's process, e.g. --cpu-prof (`--profile-gateway DIR`). */
  gatewayExecArgv?: string[];
  tokens: number;
  clients: number;
  symbolsPerClient: number;
  tickMs: number;
  clientProcesses: number;
  warmupMs: number;
  windowMs: number;
  /** After the window, how long frames stamped inside it may still arrive and count as delivered. */
  drainMs: number;
  runs: number;
  modes: FanoutMode[];
}

export type FanoutMode = 'LTP' | 'Quote';

export const FANOUT_DEFAULTS: FanoutConfig = {
  tokens: 1000,
  clients: 200,
  symbolsPerClient: 50,
  tickMs: 100,
  clientProcesses: 2,
  warmupMs: 3_000,
  windowMs: 10_000,
  drainMs: 2_000,
  runs: 3,
  modes: ['LTP', 'Quote'],
};

/**
 * The targets of issue 7 on the 2-core reference machine, and issue 24's: 1,000 clients × 50 symbols ×
 * 10 ticks/s (500,000 deliveries/s) on one gateway core, extrapolated from the measured cost per message
 * because two cores cannot drive that many clients.
 */
export const FANOUT_TARGETS = { deliveredPercent: 95, p99Ms: 25, gatewayRssMiB: 250, deliveriesPerCoreSecond: 500_000 } as const;

/** Gateway CPU time per delivered market_data message, in µs, and the deliveries one busy core would make at that cost. */
export function costPerMessage(run: Pick<FanoutRun, 'gatewayCpuPercent' | 'deliveredPerSec'>): { cpuMicros: number; perCoreSecond: number } {
  const cpuSecondsPerSecond = run.gatewayCpuPercent / 100;
  const cpuMicros = run.deliveredPerSec > 0 ? (cpuSecondsPerSecond / run.deliveredPerSec) * 1e6 : Number.NaN;
  return { cpuMicros, perCoreSecond: cpuMicros > 0 ? 1e6 / cpuMicros : Number.NaN };
}

export interface FanoutRun {
  /** market_data messages/s the ticks the mock stamped in the window amount to at the clients' subscriptions. */
  offeredPerSec: number;
  /** Frames received carrying a timestamp inside the window (arriving up to drainMs after it). */
  deliveredPerSec: number;
  deliveredPercent: number;
  /** Ticks/s the mock actually sent upstream (nominal: tokens × 1000 / tickMs). */
  upstreamTicksPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Gateway CPU over the window, % of one core. */
  gatewayCpuPercent: number;
  gatewayRssMiB: number;
  gatewayPeakRssMiB: number;
  /** Upstream connections the mock held for the user at the end (must be 1). */
  upstreamConnections: number;
  /** CPU of the mock broker's process and of all client processes together, % of one core. */
  brokerCpuPercent: number;
  clientsCpuPercent: number;
  clientsClosed: number;
  malformed: number;
  subscribeFailures: number;
}

export interface FanoutModeResult {
  mode: FanoutMode;
  runs: FanoutRun[];
  median: FanoutRun;
}

export interface FanoutResult {
  config: FanoutConfig;
  offeredNominalPerSec: number;
  modes: FanoutModeResult[];
}

const EXCHANGE = 'NSE';

/** Client i's symbols: consecutive tokens from i × symbolsPerClient, wrapping, so every token gets the same number of subscribers. */
function subscriptionsFor(config: FanoutConfig): string[][] {
  return Array.from({ length: config.clients }, (_, client) =>
    Array.from({ length: config.symbolsPerClient }, (_, j) => syntheticSymbol((client * config.symbolsPerClient + j) % config.tokens)),
  );
}

function split<T>(items: T[], parts: number): T[][] {
  return Array.from({ length: parts }, (_, p) => items.filter((_, i) => i % parts === p));
}

async function stopAll(processes: BenchProcess[]): Promise<void> {
  await Promise.all(processes.map((p) => p.stop()));
}

/**
 * The gateways of one run: one plain gateway by default; the cluster benchmark passes one `cluster` per
 * gateway. Client process i talks to gateway i mod n; CPU and RSS figures are gateway 0's.
 */
export type FanoutGateways = ({ cluster?: ClusterOptions } | undefined)[];

/** What a caller may look at after the window, while every process still runs: client process i's window talked to gateway i mod n. */
export interface FanoutInspection {
  windows: ClientsWindow[];
  gateways: BenchProcess[];
}

/** One measured run in fresh processes; `inspect` runs after the window, before the processes stop. */
export async function runFanoutOnce(
  config: FanoutConfig,
  mode: FanoutMode,
  topology: FanoutGateways = [undefined],
  inspect?: (inspection: FanoutInspection) => Promise<void>,
): Promise<FanoutRun> {
  const broker = spawnBenchProcess(new URL('./broker-process.ts', import.meta.url));
  const gateways = topology.map(() => spawnBenchProcess(new URL('./gateway-process.ts', import.meta.url), config.gatewayExecArgv));
  const gateway = gateways[0]!;
  const clientProcesses = Array.from({ length: config.clientProcesses }, () => spawnBenchProcess(new URL('./fanout-clients.ts', import.meta.url)));
  const all = [broker, ...gateways, ...clientProcesses];
  try {
    const { url: brokerUrl } = await broker.request<BrokerStarted>('start', { tickMs: config.tickMs, limit: 2 });
    const urls = await Promise.all(
      gateways.map(async (g, i) => {
        const start = { brokerUrl, registry: 'singleton', syntheticInstruments: config.tokens, ...topology[i] };
        return (await g.request<GatewayStarted>('start', start)).url;
      }),
    );
    const modeCode: OpenAlgoModeCode = OpenAlgoMode[mode];
    const shares = split(subscriptionsFor(config), config.clientProcesses);
    const connected = await Promise.all(
      clientProcesses.map((p, i) =>
        p.request<ClientsConnected>('connect', {
          url: urls[i % urls.length],
          apiKey: DEMO_USER.apiKey,
          exchange: EXCHANGE,
          mode: modeCode,
          subscriptions: shares[i],
        }),
      ),
    );
    const subscribeFailures = connected.reduce((n, c) => n + c.failures, 0);
    await sleep(config.warmupMs);

    // The window is defined by exchange timestamps: the mock counts the ticks it stamped in (from.at, to.at],
    // the clients count the frames carrying those timestamps, so neither side depends on when a request
    // reached which process. Clients start counting before the window opens and stop a drain period after.
    await Promise.all(clientProcesses.map((p) => p.request('mark')));
    const [from, usage0, brokerUsage0] = await Promise.all([
      broker.request<TicksSample>('ticksSent'),
      gateway.request<UsageSample>('usage'),
      broker.request<UsageSample>('usage'),
    ]);
    await sleep(config.windowMs);
    const [to, usage1, brokerUsage1, stats] = await Promise.all([
      broker.request<TicksSample>('ticksSent'),
      gateway.request<UsageSample>('usage'),
      broker.request<UsageSample>('usage'),
      broker.request<MockBrokerStats>('stats'),
    ]);
    await sleep(config.drainMs);
    const windows = await Promise.all(clientProcesses.map((p) => p.request<ClientsWindow>('collect')));
    const seconds = (to.at - from.at) / 1000;
    await inspect?.({ windows, gateways });

    const histogram = new LatencyHistogram();
    let received = 0;
    let clientsClosed = 0;
    let malformed = 0;
    let clientsCpuPercent = 0;
    for (const w of windows) {
      histogram.merge(w.latencyPairs, w.latencyMax);
      for (const [timestamp, count] of w.byTimestamp) if (timestamp > from.at && timestamp <= to.at) received += count;
      clientsClosed += w.closed;
      malformed += w.malformed;
      clientsCpuPercent += w.cpuPercent;
    }
    const subscribersPerToken = (config.clients * config.symbolsPerClient) / config.tokens;
    const upstreamTicks = to.ticksSent - from.ticksSent;
    const offered = upstreamTicks * subscribersPerToken;
    return {
      offeredPerSec: offered / seconds,
      deliveredPerSec: received / seconds,
      deliveredPercent: offered > 0 ? (100 * received) / offered : 0,
      upstreamTicksPerSec: upstreamTicks / seconds,
      p50Ms: histogram.percentile(50),
      p99Ms: histogram.percentile(99),
      maxMs: histogram.max,
      gatewayCpuPercent: cpuPercent(usage0, usage1),
      gatewayRssMiB: usage1.rssBytes / MIB,
      gatewayPeakRssMiB: usage1.maxRssBytes / MIB,
      upstreamConnections: stats.current[DEMO_USER.clientCode] ?? 0,
      brokerCpuPercent: cpuPercent(brokerUsage0, brokerUsage1),
      clientsCpuPercent,
      clientsClosed,
      malformed,
      subscribeFailures,
    };
  } finally {
    await stopAll(all);
  }
}

function medianRun(runs: FanoutRun[]): FanoutRun {
  const pick = (key: keyof FanoutRun): number => median(runs.map((r) => r[key]));
  return Object.fromEntries(Object.keys(runs[0]!).map((key) => [key, pick(key as keyof FanoutRun)])) as unknown as FanoutRun;
}

/** All modes, `runs` runs each; `progress` hears one line per finished run. */
export async function runFanout(config: FanoutConfig = FANOUT_DEFAULTS, progress: (line: string) => void = () => undefined): Promise<FanoutResult> {
  const modes: FanoutModeResult[] = [];
  for (const mode of config.modes) {
    const runs: FanoutRun[] = [];
    for (let i = 0; i < config.runs; i++) {
      const run = await runFanoutOnce(config, mode);
      runs.push(run);
      progress(
        `fanout ${mode} run ${i + 1}/${config.runs}: ${Math.round(run.deliveredPerSec)} msg/s (${run.deliveredPercent.toFixed(1)} %), p99 ${run.p99Ms} ms, gateway ${run.gatewayCpuPercent.toFixed(0)} % CPU ${run.gatewayRssMiB.toFixed(0)} MiB`,
      );
    }
    modes.push({ mode, runs, median: medianRun(runs) });
  }
  const offeredNominalPerSec = (config.clients * config.symbolsPerClient * 1000) / config.tickMs;
  return { config, offeredNominalPerSec, modes };
}

const fixed = (digits: number) => (value: number): string => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const whole = fixed(0);
const one = fixed(1);

function rowFor(label: string, run: FanoutRun): (string | number)[] {
  return [
    label,
    whole(run.offeredPerSec),
    whole(run.deliveredPerSec),
    one(run.deliveredPercent),
    whole(run.p50Ms),
    whole(run.p99Ms),
    whole(run.maxMs),
    whole(run.gatewayCpuPercent),
    fixed(2)(costPerMessage(run).cpuMicros),
    whole(costPerMessage(run).perCoreSecond),
    one(run.gatewayRssMiB),
    one(run.gatewayPeakRssMiB),
    run.upstreamConnections,
    whole(run.upstreamTicksPerSec),
    `${whole(run.brokerCpuPercent)} / ${whole(run.clientsCpuPercent)}`,
  ];
}

/** The table: every run, then the median per mode, then each target met or missed. */
export function fanoutTable(result: FanoutResult, load: { before: number[]; after: number[] }): BenchTable {
  const { config } = result;
  const rows: (string | number)[][] = [];
  const notes: string[] = [];
  for (const { mode, runs, median: m } of result.modes) {
    runs.forEach((run, i) => rows.push(rowFor(`${mode} run ${i + 1}`, run)));
    rows.push(rowFor(`${mode} median`, m));
    const checks = [
      [m.deliveredPercent >= FANOUT_TARGETS.deliveredPercent, `delivered ${one(m.deliveredPercent)} % (target ≥ ${FANOUT_TARGETS.deliveredPercent} %)`],
      [m.p99Ms <= FANOUT_TARGETS.p99Ms, `p99 ${whole(m.p99Ms)} ms (target ≤ ${FANOUT_TARGETS.p99Ms} ms)`],
      [m.gatewayRssMiB <= FANOUT_TARGETS.gatewayRssMiB, `gateway RSS ${one(m.gatewayRssMiB)} MiB (target ≤ ${FANOUT_TARGETS.gatewayRssMiB} MiB)`],
      [m.upstreamConnections === 1, `upstream connections ${m.upstreamConnections} (must be 1)`],
      [
        costPerMessage(m).perCoreSecond >= FANOUT_TARGETS.deliveriesPerCoreSecond,
        `${whole(costPerMessage(m).perCoreSecond)} deliveries per gateway core-second, extrapolated (target ≥ ${FANOUT_TARGETS.deliveriesPerCoreSecond})`,
      ],
    ] as const;
    const missed = checks.filter(([ok]) => !ok).map(([, text]) => text);
    const met = checks.filter(([ok]) => ok).map(([, text]) => text);
    notes.push(missed.length === 0 ? `${mode}: all targets met (${met.join('; ')})` : `${mode}: target MISSED: ${missed.join('; ')}; met: ${met.join('; ')}`);
    const anomalies = runs.flatMap((r, i) => [
      ...(r.subscribeFailures > 0 ? [`run ${i + 1}: ${r.subscribeFailures} failed subscribes`] : []),
      ...(r.clientsClosed > 0 ? [`run ${i + 1}: ${r.clientsClosed} clients closed`] : []),
      ...(r.malformed > 0 ? [`run ${i + 1}: ${r.malformed} market_data frames without a timestamp`] : []),
    ]);
    if (anomalies.length > 0) notes.push(`${mode}: ${anomalies.join('; ')}`);
  }
  notes.push(
    `${config.tokens} tokens every ${config.tickMs} ms → ${config.clients} clients × ${config.symbolsPerClient} symbols ` +
      `(${(config.clients * config.symbolsPerClient) / config.tokens} subscribers per token), nominal ${whole(result.offeredNominalPerSec)} msg/s; ` +
      `offered = ticks the mock stamped in the window × subscribers per token, delivered = frames received with a timestamp in the window ` +
      `(arriving up to ${config.drainMs / 1000} s after it); ${config.warmupMs / 1000} s warm-up, ${config.windowMs / 1000} s window`,
    'gw µs/msg = gateway CPU seconds per delivered message (× 10⁶); deliveries/core-s = 10⁶ ÷ that: what one fully busy gateway core would deliver at the measured cost; ' +
      'latency = client receive time − the tick\'s exchange timestamp (stamped by the mock as it sends), 1 ms resolution; ' +
      'CPU in % of one core; mock broker, gateway and clients each in their own processes',
    `load average (1/5/15 min) before ${load.before.map((l) => l.toFixed(2)).join(' ')}, after ${load.after.map((l) => l.toFixed(2)).join(' ')}`,
  );
  return {
    title: `fanout: one gateway, one upstream connection, ${config.clients} clients × ${config.symbolsPerClient} symbols (${config.runs} runs per mode, medians)`,
    columns: ['mode / run', 'offered msg/s', 'delivered msg/s', 'delivered %', 'p50 ms', 'p99 ms', 'max ms', 'gw CPU %', 'gw µs/msg', 'deliveries/core-s', 'gw RSS MiB', 'gw peak MiB', 'upstream', 'mock ticks/s', 'mock / clients CPU %'],
    rows,
    notes,
    data: result,
  };
}


export const fanout: Benchmark = {
  name: 'fanout',
  description: '1000 tokens × 10 ticks/s through one gateway to 200 clients × 50 symbols, LTP and Quote (~2 min)',
  async run(args) {
    const config = { ...FANOUT_DEFAULTS, runs: intOption(args, 'runs', FANOUT_DEFAULTS.runs), gatewayExecArgv: gatewayProfileArgv(args) };
    const before = os.loadavg();
    const result = await runFanout(config, (line) => process.stderr.write(`bench: ${line}\n`));
    return fanoutTable(result, { before, after: os.loadavg() });
  },
};
