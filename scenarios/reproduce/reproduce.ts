import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { mulberry32, startMockBroker, type MockBroker } from '../../mock-broker/index.ts';
import { startGateway } from '../../gateway/index.ts';
import { DEFAULT_SAFETY_CAP } from '../../gateway/legacy/safety-cap.ts';
import { SDK_RETRY } from '../../gateway/legacy/smart-websocket.ts';
import type { RegistryMode, UserRecord } from '../../gateway/index.ts';
import { verifyPaths } from '../../verifier/index.ts';
import { summariseBroker, sum, highest } from '../evidence/broker-evidence.ts';
import { summariseClients, type ClientSummary } from '../traffic/client-summary.ts';
import { GatewayLogCapture, type GatewayLogCounts } from './gateway-log-capture.ts';
import { countsByRule, summariseFindings, type FindingSummary } from '../evidence/finding-summary.ts';
import { loadSymbolUniverse } from '../traffic/symbol-universe.ts';
import { planPhases } from '../traffic/plan-phases.ts';
import type { RunRecord } from '../evidence/run-record.ts';
import { planTraffic, type Scenario, type TrafficPlan } from '../traffic/traffic-plan.ts';
import { gatewayEvidence } from './reproduce-evidence.ts';
import { runTraffic, type SlotHoldOutcome } from '../traffic/traffic-runner.ts';
import { holdBrokerSlots } from '../traffic/traffic-slot-holder.ts';
import { peakText } from './peak-text.ts';

export interface ReproduceOptions {
  clients: number;
  durationMs: number;
  seed: number;
  limit: number;
  modes: RegistryMode[];
  scenario: Scenario;
  /** `--time-scale` for the legacy registries' delays (SDK retry sleeps, back-offs, freeze, watchdog). */
  timeScale: number;
  /** Where the gateway logs go and stay; absent: a temporary folder, removed when the run ends. */
  logDir?: string;
  /** One line per phase, for a TTY; silent when absent. */
  onProgress?: (line: string) => void;
  /** Given each mode's broker timeline and log as the mode ends (for `--html`). */
  onRunRecord?: (record: RunRecord) => void;
  /** Given each mode's result as it ends, so an interrupted run can still show the modes it finished. */
  onModeResult?: (result: ModeResult) => void;
}

/** One registry mode's run, as the broker, the gateway's log, the verifier and the clients saw it. */
export interface ModeResult {
  mode: RegistryMode;
  clientCode: string;
  /** The gateway's log of this mode; absent when it went to a temporary folder, now removed. */
  logFile?: string;
  broker: {
    /** Most connections of the client code open at once at the broker, another application's included. */
    peakConnections: number;
    /** Most connections the gateway itself held at once, the other application's slots left out. */
    gatewayPeak: number;
    connectionAttempts: number;
    /** Most handshakes in any one second: a runaway retry loop shows here. */
    peakAttemptsPerSecond: number;
    /** 429s after the other application released the slots (all of them when none was held). */
    rejected429AfterRelease: number;
    accepted: number;
    rejected429: number;
    rejected401: number;
    ticksSent: number;
  };
  gateway: GatewayLogCounts;
  verifier: FindingSummary;
  clients: ClientSummary;
  brokerDrops: { at: number; done: boolean; detail: string }[];
  slotHold?: SlotHoldOutcome;
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
  options: Omit<ReproduceOptions, 'onProgress' | 'logDir' | 'onRunRecord' | 'onModeResult'>;
  modes: ModeResult[];
  expectations: Expectation[];
  pass: boolean;
  /** The signal that stopped the run: `modes` are the ones it finished, and it cannot pass. */
  interrupted?: 'SIGINT' | 'SIGTERM';
}

const API_KEY = 'stormcheck-reproduce';
/** Each mode gets its own client code, so anything a mode leaves behind at the broker is never billed to the next. */
const CLIENT_CODE: Record<RegistryMode, string> = { 'legacy-2025': 'LEGACY25', 'legacy-2026': 'LEGACY26', singleton: 'SINGLE1' };

/** The three columns, in the order the table shows them. */
export const REPRODUCE_MODES: readonly RegistryMode[] = ['legacy-2025', 'legacy-2026', 'singleton'];

/**
 * Default `--time-scale` of `reproduce`: OpenAlgo's 10 s SDK sleeps become 0.3 s, so the chain of five
 * retries runs out (and 2025-11's runaway begins) about 1.5 s into the other application's hold.
 */
export const REPRODUCE_TIME_SCALE = 0.03;

/**
 * The singleton retries a 429 about every 5 s; in a run compressed like the legacy delays that would leave
 * it waiting past the end, so `reproduce` retries it about every second, never under the 1 s within which
 * two refusals are an error (docs/rules.md#refusals): the compression must not make the fix look like the bug.
 */
const SINGLETON_BACKOFF = { rateLimitedMinMs: 1_100, rateLimitedMaxMs: 1_300 };

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
    retrySleepMs: SDK_RETRY.retryDelayMs * options.timeScale,
  });
  const tempDir = options.logDir === undefined ? await mkdtemp(join(tmpdir(), 'stormcheck-reproduce-')) : undefined;
  const logDir = options.logDir ?? tempDir!;
  const broker = await startMockBroker({ host: '127.0.0.1', port: 0, limit: options.limit, seed: options.seed, logLevel: 'silent' });
  const modes: ModeResult[] = [];
  try {
    for (const mode of options.modes) {
      progress(`${mode}: ${options.clients} clients for ${options.durationMs / 1000} s against a broker limit of ${options.limit}…`);
      const result = await runMode(mode, plan, broker, join(logDir, `gateway-${mode}.log`), options);
      progress(`${mode}: peak ${peakText(result)}, ${result.broker.rejected429} × 429, ${result.gateway.adaptersCreated} adapter(s) created`);
      modes.push(result);
      options.onModeResult?.(result);
    }
  } finally {
    await broker.close();
    if (tempDir !== undefined) await rm(tempDir, { recursive: true, force: true });
  }
  const report = reproduceReport(options, modes);
  return tempDir === undefined ? report : withoutLogFiles(report);
}

/** The report of the modes run so far: all of them, or those finished before `interrupted` stopped the run. */
export function reproduceReport(options: ReproduceOptions, modes: ModeResult[], interrupted?: ReproduceReport['interrupted']): ReproduceReport {
  const expectations = modes.flatMap(judgeMode);
  const { onProgress: _progress, logDir: _dir, onRunRecord: _record, onModeResult: _result, ...shown } = options;
  const pass = interrupted === undefined && expectations.every((e) => e.met);
  return { schemaVersion: 1, command: 'reproduce', options: shown, modes, expectations, pass, ...(interrupted && { interrupted }) };
}

/** The report without the paths of gateway logs that were removed with their temporary folder. */
export function withoutLogFiles(report: ReproduceReport): ReproduceReport {
  return { ...report, modes: report.modes.map(({ logFile: _removed, ...rest }) => rest) };
}

async function runMode(mode: RegistryMode, plan: TrafficPlan, broker: MockBroker, logFile: string, options: ReproduceOptions): Promise<ModeResult> {
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
    legacy: { timeScale: options.timeScale, safetyCap: DEFAULT_SAFETY_CAP },
    backoff: SINGLETON_BACKOFF,
  });
  const heldIds = new Set<number>();
  let traffic;
  try {
    traffic = await runTraffic(plan, {
      url: gateway.url,
      apiKey: API_KEY,
      dropBroker: async () => broker.inject({ type: 'drop-all' }),
      holdSlots: async () => {
        const seen = broker.events().length;
        const held = await holdBrokerSlots(broker.url, user, options.limit);
        for (const event of broker.events().slice(seen)) if (event.type === 'accepted' && event.clientCode === clientCode) heldIds.add(event.connectionId);
        return held;
      },
    });
    await sleep(SETTLE_MS);
  } finally {
    await gateway.close();
    await log.finish();
  }
  const after = { stats: broker.stats(), events: broker.events() };
  const to = Date.now();
  const seen = summariseBroker({ before, after, from, to, clientCodes: [clientCode] });
  options.onRunRecord?.({
    name: mode,
    from,
    to,
    brokerEvents: after.events.filter((e) => e.clientCode === clientCode && e.time >= from && e.time <= to),
    heldIds: [...heldIds],
    log: { file: logFile, fromByte: 0 },
    phases: planPhases(plan),
  });
  const own = gatewayEvidence(after.events, { clientCode, from, to, heldIds, releasedAt: traffic.slotHold?.releasedAt });
  // An empty log must not crash the run; the expectations below treat it as missing evidence.
  const report = await verifyPaths([logFile], { allowEmpty: true });
  return {
    mode,
    clientCode,
    logFile,
    broker: {
      peakConnections: highest(seen.peak),
      gatewayPeak: own.gatewayPeak,
      connectionAttempts: sum(seen.attempts),
      peakAttemptsPerSecond: own.peakAttemptsPerSecond,
      rejected429AfterRelease: own.rejected429AfterRelease,
      accepted: sum(seen.attempts) - sum(seen.rejected429) - sum(seen.rejected401),
      rejected429: sum(seen.rejected429),
      rejected401: sum(seen.rejected401),
      ticksSent: seen.ticksSent,
    },
    gateway: await log.counts(),
    verifier: summariseFindings(report),
    clients: summariseClients(plan, traffic.clients),
    brokerDrops: traffic.brokerDrops,
    ...(traffic.slotHold ? { slotHold: traffic.slotHold } : {}),
  };
}

/**
 * docs/reproduce.md#what-the-run-shows: legacy-2025 must run away (one adapter's spent nested retries),
 * legacy-2026 must churn and leave zombies, and singleton must be clean. Each legacy condition counts a step
 * of the mechanism in the gateway's log, never a rate, which would measure the machine's CPU rather than the
 * bug. Clean is: one connection of its own, no 429 once the other application let go of the slots, no error
 * finding beyond the refusals it met while they were held, and data for every subscribed client.
 */
function judgeMode(result: ModeResult): Expectation[] {
  const { mode, broker, gateway, verifier, clients } = result;
  if (mode === 'legacy-2025') {
    // Each adapter has one SDK, and an SDK that sleeps before every retry gives up at most once; a second
    // give-up means a 429 after the spent chain was answered by a reconnect with no sleep: the runaway.
    const unsleptGiveUps = gateway.sdkGiveUps - gateway.adaptersCreated;
    return [
      {
        mode,
        name: 'legacy-2025 storms',
        met: gateway.sdkGiveUps > 0 && unsleptGiveUps > 0 && verifier.errors > 0,
        detail:
          `${gateway.sdkGiveUps} SDK give-up(s) from ${gateway.adaptersCreated} adapter(s): ${Math.max(unsleptGiveUps, 0)} reconnect(s) with no sleep after a spent chain, ` +
          `${broker.peakAttemptsPerSecond} attempts in its busiest second, ${broker.rejected429} × 429, ${verifier.errors} error finding(s)`,
      },
    ];
  }
  if (mode === 'legacy-2026') {
    return [
      {
        mode,
        name: 'legacy-2026 churns its pool',
        met: gateway.adaptersCreated >= 2 && gateway.teardowns >= 2,
        detail: `${gateway.adaptersCreated} pool(s) created, ${gateway.teardowns} torn down by a last client leaving`,
      },
      {
        mode,
        name: 'legacy-2026 leaves zombies',
        met: gateway.zombieAttempts > 0,
        detail: `${gateway.zombieAttempts} reconnect(s) by the SDK of a pool already torn down, ${gateway.zombieConnects} of them opened`,
      },
    ];
  }
  const unexplained = [...countsByRule(verifier)].filter(([rule, r]) => r.severity === 'error' && !(rule === 'broker-429' && broker.rejected429AfterRelease === 0));
  return [
    { mode, name: 'singleton holds ≤ 1 connection', met: broker.gatewayPeak <= 1, detail: `peak ${broker.gatewayPeak}` },
    {
      mode,
      name: 'singleton gets no 429 once the slots are free',
      met: broker.rejected429AfterRelease === 0,
      detail: `${broker.rejected429AfterRelease} × 429 after release (${broker.rejected429} in all)`,
    },
    {
      mode,
      name: 'singleton log has no storm finding',
      met: unexplained.length === 0 && verifier.linesRecognised > 0,
      detail:
        verifier.linesRecognised === 0
          ? 'the gateway log had no recognisable line to judge'
          : unexplained.length === 0
            ? 'none'
            : unexplained.map(([rule, r]) => `${rule} ×${r.lines}`).join(', '),
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
