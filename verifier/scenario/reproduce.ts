import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { mulberry32, startMockBroker } from '../../fixtures/angel-broker/index.ts';
import type { MockBroker } from '../../fixtures/angel-broker/types.ts';
import { startGateway } from '../../gateway/index.ts';
import type { RegistryMode, UserRecord } from '../../gateway/index.ts';
import { verifyPaths } from '../index.ts';
import { summariseBroker, sum, highest } from './broker-evidence.ts';
import { summariseClients, type ClientSummary } from './client-summary.ts';
import { GatewayLogCapture, type GatewayLogCounts } from './gateway-log-capture.ts';
import { countsByRule, summariseFindings, type FindingSummary } from './finding-summary.ts';
import { loadSymbolUniverse } from './symbol-universe.ts';
import { planTraffic, type Scenario, type TrafficPlan } from './traffic-plan.ts';
import { runTraffic } from './traffic-runner.ts';

export interface ReproduceOptions {
  clients: number;
  durationMs: number;
  seed: number;
  limit: number;
  modes: RegistryMode[];
  scenario: Scenario;
  /** Where the gateway logs go; a fresh temporary folder when absent. */
  logDir?: string;
  /** One line per phase, for a TTY; silent when absent. */
  onProgress?: (line: string) => void;
}

/** One registry mode's run, as the broker, the gateway's log, the verifier and the clients saw it. */
export interface ModeResult {
  mode: RegistryMode;
  clientCode: string;
  logFile: string;
  broker: {
    peakConnections: number;
    connectionAttempts: number;
    accepted: number;
    rejected429: number;
    rejected401: number;
    ticksSent: number;
  };
  gateway: GatewayLogCounts;
  verifier: FindingSummary;
  clients: ClientSummary;
  brokerDrops: { at: number; done: boolean; detail: string }[];
}

export interface Expectation {
  mode: RegistryMode;
  name: string;
  met: boolean;
  detail: string;
}

export interface ReproduceReport {
  schemaVersion: 1;
  command: 'reproduce';
  options: Omit<ReproduceOptions, 'onProgress' | 'logDir'>;
  modes: ModeResult[];
  expectations: Expectation[];
  pass: boolean;
}

const API_KEY = 'stormcheck-reproduce';
/** Each mode gets its own client code, so anything a mode leaves behind at the broker is never billed to the next. */
const CLIENT_CODE: Record<RegistryMode, string> = { legacy: 'LEGACY1', singleton: 'SINGLE1' };
/** Time for the last ticks and closes to land before the broker's record is read. */
const SETTLE_MS = 300;

/**
 * Replays the incident against the embedded mock broker, once per registry mode with the same seeded
 * traffic plan, and judges the result: legacy must show the storm, singleton must be clean.
 */
export async function runReproduce(options: ReproduceOptions): Promise<ReproduceReport> {
  const progress = options.onProgress ?? (() => {});
  const universe = loadSymbolUniverse();
  const plan = planTraffic({
    scenario: options.scenario,
    clients: options.clients,
    durationMs: options.durationMs,
    seed: options.seed,
    universe,
    random: mulberry32(options.seed),
  });
  const logDir = options.logDir ?? (await mkdtemp(join(tmpdir(), 'stormcheck-reproduce-')));
  const broker = await startMockBroker({ host: '127.0.0.1', port: 0, limit: options.limit, seed: options.seed, logLevel: 'silent' });
  const modes: ModeResult[] = [];
  try {
    for (const mode of options.modes) {
      progress(`${mode}: ${options.clients} clients for ${options.durationMs / 1000} s against a broker limit of ${options.limit}…`);
      const result = await runMode(mode, plan, broker, join(logDir, `gateway-${mode}.log`));
      progress(`${mode}: peak ${result.broker.peakConnections}, ${result.broker.rejected429} × 429, ${result.gateway.adaptersCreated} adapter(s) created`);
      modes.push(result);
    }
  } finally {
    await broker.close();
  }
  const expectations = modes.flatMap(judgeMode);
  const { onProgress: _progress, logDir: _dir, ...shown } = options;
  return { schemaVersion: 1, command: 'reproduce', options: shown, modes, expectations, pass: expectations.every((e) => e.met) };
}

async function runMode(mode: RegistryMode, plan: TrafficPlan, broker: MockBroker, logFile: string): Promise<ModeResult> {
  const clientCode = CLIENT_CODE[mode];
  const user: UserRecord = {
    apiKey: API_KEY,
    userId: 'incident-app',
    broker: 'angel',
    clientCode,
    brokerApiKey: 'reproduce-broker-key',
    feedToken: 'reproduce-feed-token',
    authToken: 'reproduce-jwt',
  };
  const log = new GatewayLogCapture(logFile);
  broker.reset();
  const before = { stats: broker.stats(), events: broker.events() };
  const from = Date.now();
  const gateway = await startGateway({
    host: '127.0.0.1',
    port: 0,
    adminPort: 0,
    brokerUrl: broker.url,
    registry: mode,
    users: [user],
    logDestination: log.destination,
    random: mulberry32(plan.seed),
  });
  let traffic;
  try {
    traffic = await runTraffic(plan, {
      url: gateway.url,
      apiKey: API_KEY,
      dropBroker: async () => broker.inject({ type: 'drop-all' }),
    });
    await sleep(SETTLE_MS);
  } finally {
    await gateway.close();
    await log.finish();
  }
  const after = { stats: broker.stats(), events: broker.events() };
  const seen = summariseBroker({ before, after, from, to: Date.now(), clientCodes: [clientCode] });
  // An empty log must not crash the run; the expectations below treat it as missing evidence.
  const report = await verifyPaths([logFile], { allowEmpty: true });
  return {
    mode,
    clientCode,
    logFile,
    broker: {
      peakConnections: highest(seen.peak),
      connectionAttempts: sum(seen.attempts),
      accepted: sum(seen.attempts) - sum(seen.rejected429) - sum(seen.rejected401),
      rejected429: sum(seen.rejected429),
      rejected401: sum(seen.rejected401),
      ticksSent: seen.ticksSent,
    },
    gateway: await log.counts(),
    verifier: summariseFindings(report),
    clients: summariseClients(plan, traffic.clients),
    brokerDrops: traffic.brokerDrops,
  };
}

/** SPEC §7: legacy must show the storm; singleton must be clean and feed every subscribed client. */
function judgeMode(result: ModeResult): Expectation[] {
  const { mode, broker, verifier, clients } = result;
  if (mode === 'legacy') {
    const signs = [
      broker.rejected429 > 0 ? `${broker.rejected429} × 429` : '',
      broker.peakConnections > 1 ? `peak ${broker.peakConnections} connections` : '',
      verifier.errors > 0 ? `${verifier.errors} error finding(s)` : '',
    ].filter(Boolean);
    return [
      {
        mode,
        name: 'legacy shows the storm',
        met: signs.length > 0,
        detail: signs.length > 0 ? signs.join(', ') : 'no 429, peak ≤ 1 and no error finding: the storm did not appear',
      },
    ];
  }
  return [
    { mode, name: 'singleton peak ≤ 1 connection', met: broker.peakConnections <= 1, detail: `peak ${broker.peakConnections}` },
    { mode, name: 'singleton gets no 429', met: broker.rejected429 === 0, detail: `${broker.rejected429} × 429` },
    {
      mode,
      name: 'singleton log has no error finding',
      met: verifier.errors === 0 && verifier.linesRecognised > 0,
      detail:
        verifier.linesRecognised === 0
          ? 'the gateway log had no recognisable line to judge'
          : verifier.errors === 0
            ? 'none'
            : [...countsByRule(verifier)].filter(([, r]) => r.severity === 'error').map(([rule, r]) => `${rule} ×${r.count}`).join(', '),
    },
    {
      mode,
      name: 'every subscribed singleton client got data',
      met: clients.withoutData.length === 0,
      detail:
        clients.withoutData.length === 0
          ? `${clients.subscribing} of ${clients.subscribing}`
          : `${clients.withoutData.length} of ${clients.subscribing} without data, e.g. ${clients.withoutData.slice(0, 3).join(', ')}`,
    },
  ];
}
