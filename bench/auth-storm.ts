import os from 'node:os';
import { DEMO_USER } from '../gateway/index.ts';
import { OpenAlgoMode } from '../protocol/openalgo/index.ts';
import type { RegistryMode } from '../gateway/index.ts';
import type { MockBrokerStats } from '../mock-broker/index.ts';
import type { StormResult } from './auth-storm-clients.ts';
import type { BrokerStarted } from './broker-process.ts';
import type { GatewayStarted } from './gateway-process.ts';
import { gatewayProfileArgv, intOption } from './bench-args.ts';
import { spawnBenchProcess } from './process-link.ts';
import { cpuMillis, type UsageSample } from './process-usage.ts';
import { median, sleep } from './summary.ts';
import type { Benchmark, BenchTable } from './table.ts';

/**
 * Benchmark 3 (docs/benchmarks.md#gateway-benchmarks): the authentication storm. `clients` clients of one
 * user connect, authenticate and subscribe at once, against `singleton` and `legacy-2025` side by side, each
 * in fresh processes (mock broker with its default limit of 2, gateway, clients). The broker's record is read
 * `observeMs` after the storm began, the same moment for both registries; a legacy run cannot run away past
 * that, because its gateway is then shut down (killed if it does not stop).
 */

export interface AuthStormConfig {
  /** Extra node flags for the gateway's process, e.g. --cpu-prof (`--profile-gateway DIR`). */
  gatewayExecArgv?: string[];
  clients: number;
  /** Each client subscribes to one of these, in turn: the storm is about authentication, the fan-out load is benchmark 2's. */
  symbols: string[];
  limit: number;
  /** Clients not authenticated and subscribed by then count as not done. */
  timeoutMs: number;
  /** When the broker's stats are read, from the start of the storm. */
  observeMs: number;
  runs: number;
  registries: RegistryMode[];
}

export const AUTH_STORM_DEFAULTS: AuthStormConfig = {
  clients: 1000,
  symbols: ['RELIANCE', 'SBIN', 'INFY', 'TCS', 'HDFCBANK'],
  limit: 2,
  timeoutMs: 10_000,
  observeMs: 10_000,
  runs: 3,
  registries: ['singleton', 'legacy-2025'],
};

export const AUTH_STORM_TARGETS = { upstreamConnections: 1, rejected429: 0, allAuthenticatedMs: 2_000, allFedMs: 1_000 } as const;

export interface AuthStormRun {
  authenticated: number;
  subscribed: number;
  allAuthenticatedMs: number | null;
  allSubscribedMs: number | null;
  /** Clients that received market data, and when the last one did (null: not all within the time limit). */
  fed: number;
  allFedMs: number | null;
  /** Handshakes the broker accepted: upstream connections opened. */
  upstreamOpened: number;
  /** Most upstream connections the broker saw open at once for the user. */
  upstreamPeak: number;
  rejected429: number;
  /** `adapter.create` lines the gateway logged; null when its process did not answer. */
  adaptersCreated: number | null;
  clientErrors: Record<string, number>;
  /** Clients still waiting for their connection, auth reply or subscribe reply when time ran out. */
  stuck: StormResult['stuck'];
  /** CPU time the gateway's process used from the start of the storm until the clients were done. */
  gatewayCpuMs: number | null;
}

export interface AuthStormResult {
  config: AuthStormConfig;
  registries: { registry: RegistryMode; runs: AuthStormRun[] }[];
}

export async function runAuthStormOnce(config: AuthStormConfig, registry: RegistryMode): Promise<AuthStormRun> {
  const broker = spawnBenchProcess(new URL('./broker-process.ts', import.meta.url));
  const gateway = spawnBenchProcess(new URL('./gateway-process.ts', import.meta.url), config.gatewayExecArgv);
  const clients = spawnBenchProcess(new URL('./auth-storm-clients.ts', import.meta.url));
  try {
    const { url: brokerUrl } = await broker.request<BrokerStarted>('start', { tickMs: 100, limit: config.limit });
    const { url } = await gateway.request<GatewayStarted>('start', { brokerUrl, registry });
    const usageBefore = await gateway.request<UsageSample>('usage');
    const started = Date.now();
    const storm = await clients.request<StormResult>('storm', {
      url,
      apiKey: DEMO_USER.apiKey,
      clients: config.clients,
      symbols: config.symbols,
      exchange: 'NSE',
      mode: OpenAlgoMode.LTP,
      timeoutMs: config.timeoutMs,
    });
    const usageAfter = await gateway.request<UsageSample>('usage').catch(() => undefined);
    await sleep(config.observeMs - (Date.now() - started));
    const [stats, adaptersCreated] = await Promise.all([
      broker.request<MockBrokerStats>('stats'),
      gateway.request<number>('adaptersCreated').catch(() => null),
    ]);
    return {
      authenticated: storm.authenticated,
      subscribed: storm.subscribed,
      allAuthenticatedMs: storm.allAuthenticatedMs,
      allSubscribedMs: storm.allSubscribedMs,
      fed: storm.fed,
      allFedMs: storm.allFedMs,
      upstreamOpened: stats.accepted,
      upstreamPeak: stats.peak[DEMO_USER.clientCode] ?? 0,
      rejected429: stats.rejected['429'],
      adaptersCreated,
      clientErrors: storm.errors,
      stuck: storm.stuck,
      gatewayCpuMs: usageAfter ? cpuMillis(usageBefore, usageAfter) : null,
    };
  } finally {
    await Promise.all([gateway.stop(), clients.stop(), broker.stop()]);
  }
}

/** Runs the registries alternately, `runs` rounds, so both see the same machine load. */
export async function runAuthStorm(config: AuthStormConfig = AUTH_STORM_DEFAULTS, progress: (line: string) => void = () => undefined): Promise<AuthStormResult> {
  const registries = config.registries.map((registry) => ({ registry, runs: [] as AuthStormRun[] }));
  for (let i = 0; i < config.runs; i++) {
    for (const entry of registries) {
      const run = await runAuthStormOnce(config, entry.registry);
      entry.runs.push(run);
      progress(
        `auth-storm ${entry.registry} run ${i + 1}/${config.runs}: ${run.authenticated}/${config.clients} authenticated` +
          ` (all in ${formatMs(run.allAuthenticatedMs, config.timeoutMs)}), ${run.upstreamOpened} upstream opened, ${run.rejected429} × 429` +
          `; still waiting at the deadline: ${run.stuck.open} to connect, ${run.stuck.auth} for auth, ${run.stuck.subscribe} for subscribe`,
      );
    }
  }
  return { config, registries };
}

function formatMs(ms: number | null, timeoutMs: number): string {
  return ms === null ? `> ${timeoutMs} ms` : `${Math.round(ms)} ms`;
}

/** Median of times where "not all in time" (null) sorts above every finite time. */
function medianMs(values: (number | null)[]): number | null {
  const m = median(values.map((v) => v ?? Number.POSITIVE_INFINITY));
  return Number.isFinite(m) ? m : null;
}

function problemsText(run: AuthStormRun): string {
  const parts = Object.entries(run.clientErrors).map(([code, n]) => `${code}×${n}`);
  const { open, auth, subscribe } = run.stuck;
  if (open + auth + subscribe > 0) parts.push(`waiting: connect ${open}, auth ${auth}, subscribe ${subscribe}`);
  return parts.length === 0 ? '0' : parts.join('; ');
}

function rowFor(label: string, run: AuthStormRun, config: AuthStormConfig): (string | number)[] {
  return [
    label,
    `${run.authenticated}/${config.clients}`,
    `${run.subscribed}/${config.clients}`,
    formatMs(run.allAuthenticatedMs, config.timeoutMs),
    formatMs(run.allSubscribedMs, config.timeoutMs),
    `${run.fed}/${config.clients} in ${formatMs(run.allFedMs, config.timeoutMs)}`,
    run.upstreamOpened,
    run.upstreamPeak,
    run.rejected429,
    run.adaptersCreated ?? '?',
    run.gatewayCpuMs === null ? '?' : Math.round(run.gatewayCpuMs),
    problemsText(run),
  ];
}

function medianRun(runs: AuthStormRun[]): AuthStormRun {
  const pick = (key: 'authenticated' | 'subscribed' | 'fed' | 'upstreamOpened' | 'upstreamPeak' | 'rejected429'): number => median(runs.map((r) => r[key]));
  const created = runs.map((r) => r.adaptersCreated).filter((v): v is number => v !== null);
  const cpu = runs.map((r) => r.gatewayCpuMs).filter((v): v is number => v !== null);
  return {
    authenticated: pick('authenticated'),
    subscribed: pick('subscribed'),
    allAuthenticatedMs: medianMs(runs.map((r) => r.allAuthenticatedMs)),
    allSubscribedMs: medianMs(runs.map((r) => r.allSubscribedMs)),
    fed: pick('fed'),
    allFedMs: medianMs(runs.map((r) => r.allFedMs)),
    upstreamOpened: pick('upstreamOpened'),
    upstreamPeak: pick('upstreamPeak'),
    rejected429: pick('rejected429'),
    adaptersCreated: created.length > 0 ? median(created) : null,
    clientErrors: {},
    stuck: { open: 0, auth: 0, subscribe: 0 },
    gatewayCpuMs: cpu.length > 0 ? median(cpu) : null,
  };
}

/** The table: every run, then the median per registry, then whether singleton met its targets. */
export function authStormTable(result: AuthStormResult, load: { before: number[]; after: number[] }): BenchTable {
  const { config } = result;
  const rows: (string | number)[][] = [];
  const notes: string[] = [];
  for (const { registry, runs } of result.registries) {
    runs.forEach((run, i) => rows.push(rowFor(`${registry} run ${i + 1}`, run, config)));
    const m = medianRun(runs);
    rows.push(rowFor(`${registry} median`, { ...m, clientErrors: {} }, config).map((cell, i) => (i === 11 ? '' : cell)));
    if (registry === 'singleton') {
      const checks: [boolean, string][] = [
        [m.upstreamOpened === AUTH_STORM_TARGETS.upstreamConnections, `upstream connections opened ${m.upstreamOpened} (target exactly ${AUTH_STORM_TARGETS.upstreamConnections})`],
        [m.rejected429 === AUTH_STORM_TARGETS.rejected429, `429s ${m.rejected429} (target ${AUTH_STORM_TARGETS.rejected429})`],
        [
          m.allAuthenticatedMs !== null && m.allAuthenticatedMs <= AUTH_STORM_TARGETS.allAuthenticatedMs,
          `all authenticated in ${formatMs(m.allAuthenticatedMs, config.timeoutMs)} (target ≤ ${AUTH_STORM_TARGETS.allAuthenticatedMs} ms)`,
        ],
        [m.allFedMs !== null && m.allFedMs <= AUTH_STORM_TARGETS.allFedMs, `all fed in ${formatMs(m.allFedMs, config.timeoutMs)} (target ≤ ${AUTH_STORM_TARGETS.allFedMs} ms)`],
      ];
      const met = checks.filter(([ok]) => ok).map(([, text]) => text);
      const missed = checks.filter(([ok]) => !ok).map(([, text]) => text);
      notes.push(`singleton: ${missed.length === 0 ? 'all targets met' : `target MISSED: ${missed.join('; ')}`}${met.length > 0 && missed.length > 0 ? `; met: ${met.join('; ')}` : ''}`);
    }
  }
  notes.push(
    `${config.clients} clients of one user, each subscribing to one of ${config.symbols.length} symbols; mock broker limit ${config.limit}; ` +
      `broker stats read ${config.observeMs / 1000} s after the storm began; clients not done within ${config.timeoutMs / 1000} s count as not done`,
    `fed = clients that received their first market_data, timed from the first connect (with the last value on subscribe a client is fed on subscribing once the upstream has ticked);`,
    `adapters created = adapter.create lines in the gateway's log; gw CPU ms = the gateway process's CPU time from the first connect until the clients were done or timed out`,
    `load average (1/5/15 min) before ${load.before.map((l) => l.toFixed(2)).join(' ')}, after ${load.after.map((l) => l.toFixed(2)).join(' ')}`,
  );
  return {
    title: `auth-storm: ${config.clients} clients of one user authenticate and subscribe at once (${config.runs} runs each, medians)`,
    columns: ['registry', 'authenticated', 'subscribed', 'all authenticated', 'all subscribed', 'fed (first market_data)', 'upstream opened', 'upstream peak', '429s', 'adapters created', 'gw CPU ms', 'client errors / still waiting'],
    rows,
    notes,
    data: result,
  };
}


export const authStorm: Benchmark = {
  name: 'auth-storm',
  description: '1000 clients of one user authenticate and subscribe at once: singleton vs legacy-2025 (~2 min)',
  async run(args) {
    const config = { ...AUTH_STORM_DEFAULTS, runs: intOption(args, 'runs', AUTH_STORM_DEFAULTS.runs), gatewayExecArgv: gatewayProfileArgv(args) };
    const before = os.loadavg();
    const result = await runAuthStorm(config, (line) => process.stderr.write(`bench: ${line}\n`));
    return authStormTable(result, { before, after: os.loadavg() });
  },
};
