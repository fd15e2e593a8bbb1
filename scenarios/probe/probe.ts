import { setTimeout as sleep } from 'node:timers/promises';
import { mulberry32, type BrokerEvent } from '../../mock-broker/index.ts';
import { ErrorCode } from '../../protocol/openalgo/index.ts';
import { BrokerAdminClient } from './broker-admin-client.ts';
import type { BrokerEvidence, BrokerRecord } from '../evidence/broker-evidence.ts';
import { judgeBroker, type InjectedFault } from './broker-verdict.ts';
import { BurstRefused, runTargetedTraffic, type Observations } from './targeted-traffic.ts';
import type { ProbeCheck } from './probe-check.ts';
import { summariseClients, type ClientSummary } from '../traffic/client-summary.ts';
import { countsByRule, summariseFindings, type FindingSummary } from '../evidence/finding-summary.ts';
import { LogWindow } from './log-window.ts';
import { OpenAlgoSession, SessionError, SessionFailure } from '../traffic/openalgo-client.ts';
import { loadSymbolUniverse } from '../traffic/symbol-universe.ts';
import { planPhases } from '../traffic/plan-phases.ts';
import type { RunRecord } from '../evidence/run-record.ts';
import { planTraffic, type Scenario, type TrafficPlan } from '../traffic/traffic-plan.ts';
import { runTraffic, type BrokerDrop, type LiveCounts, type TrafficOutcome } from '../traffic/traffic-runner.ts';

export interface ProbeOptions {
  url: string;
  apiKey: string;
  clients: number;
  scenario: Scenario;
  durationMs: number;
  seed: number;
  brokerAdmin?: string;
  logFile?: string;
  /** One line per phase. */
  onProgress?: (line: string) => void;
  /** The clients' live counts while traffic runs, every half second. */
  onLive?: (counts: LiveCounts) => void;
  /** Given the broker's timeline and the log's window as the probe ends (for `--html`). */
  onRunRecord?: (record: RunRecord) => void;
}

export type { CheckStatus, ProbeCheck } from './probe-check.ts';

export type Verdict = 'pass' | 'fail' | 'cannot-judge';

export interface ProbeReport {
  schemaVersion: 1;
  command: 'probe';
  target: string;
  /** The user the endpoint authenticated the API key as. */
  user: string;
  options: { clients: number; scenario: Scenario; durationMs: number; seed: number; brokerAdmin?: string; logFile?: string };
  verdict: Verdict;
  checks: ProbeCheck[];
  couldNotCheck: string[];
  broker?: BrokerEvidence;
  log?: FindingSummary & { bytes: number };
  clients: ClientSummary;
  brokerDrops: BrokerDrop[];
  /** What the default plan learnt of the deployment and timed its phases by (absent for a fixed scenario). */
  observed?: Observations;
}

/** The probe could not start: the target or an evidence source is unusable. The CLI exits 2 with `message`. */
export class ProbeCannotStart extends Error {}

const SETTLE_MS = 500;

/**
 * Drives an OpenAlgo-protocol endpoint with the incident's traffic and judges it from the broker's
 * record (events inside the probe's time window) and/or the bytes its log gained, plus what the clients
 * saw. Throws ProbeCannotStart when it cannot even begin.
 */
export async function runProbe(options: ProbeOptions): Promise<ProbeReport> {
  const progress = options.onProgress ?? (() => {});
  const admin = options.brokerAdmin ? { client: new BrokerAdminClient(options.brokerAdmin), url: options.brokerAdmin } : undefined;
  const before = admin ? await readBroker(admin.client, admin.url) : undefined;
  const log = options.logFile ? await LogWindow.open(options.logFile) : undefined;
  const from = Date.now();

  const played = admin && options.scenario === 'all' ? await targetedRun(options, admin.client, progress) : await plannedRun(options, admin?.client, progress);
  const { traffic, plan, user, faults } = played;
  progress(`settling: ${SETTLE_MS} ms for the last closes to reach the broker`);
  await sleep(SETTLE_MS);
  progress('evidence: reading the broker record and the log');

  const checks: ProbeCheck[] = [];
  const couldNotCheck: string[] = [];
  let broker: BrokerEvidence | undefined;
  let brokerEvents: BrokerEvent[] = [];
  const to = Date.now();
  if (admin && before) {
    try {
      const after = await admin.client.record();
      const clientSpans = traffic.clients.flatMap((c) => c.connectedSpans);
      const judged = judgeBroker({ before, after, from, to, clientSpans, tokens: distinctTokens(plan), faults });
      broker = judged.evidence;
      brokerEvents = after.events.filter((e) => e.time >= from && e.time <= to);
      checks.push(...judged.checks);
    } catch (err) {
      const detail = `the broker's record at ${admin.url} could not be read after the run: ${reasonOf(err)}`;
      checks.push({ source: 'broker', name: 'broker record after the run', status: 'unchecked', detail });
    }
  } else {
    couldNotCheck.push('broker: no --broker-admin URL, so upstream connections and 429s were not counted');
  }

  let logSummary: ProbeReport['log'];
  if (log) {
    const window = await log.read();
    if (window.checked) {
      logSummary = { ...summariseFindings(window.report), bytes: window.bytes };
      checks.push(logCheck(logSummary));
    } else {
      checks.push({ source: 'log', name: 'log shows no storm', status: 'unchecked', detail: window.reason });
    }
  } else {
    couldNotCheck.push('log: no --log FILE, so the deployment\'s own log was not verified');
  }

  for (const phase of played.skipped) couldNotCheck.push(`traffic: no time left for the phase "${phase}" within --duration`);
  const clients = summariseClients(plan, traffic.clients);
  checks.push(...clientChecks(clients));
  for (const check of checks.filter((c) => c.status === 'unchecked')) couldNotCheck.push(`${check.source}: ${check.detail}`);
  const brokerDrops = traffic.brokerDrops.map((drop) => judgeDrop(drop, broker));
  for (const drop of brokerDrops.filter((d) => !d.done)) {
    couldNotCheck.push(`broker drop at ${drop.at} ms not caused: ${drop.detail}${admin ? '' : ' (needs --broker-admin)'}; clients reconnected on their own only`);
  }

  options.onRunRecord?.({
    name: options.url,
    from,
    to,
    brokerEvents,
    ...(log ? { log: { file: log.path, fromByte: log.start } } : {}),
    phases: planPhases(plan),
  });
  const { onProgress: _progress, apiKey: _key, onRunRecord: _record, url, ...shown } = options;
  return {
    schemaVersion: 1,
    command: 'probe',
    target: url,
    user,
    options: shown,
    verdict: verdictOf(checks),
    checks,
    couldNotCheck,
    ...(broker ? { broker } : {}),
    ...(logSummary ? { log: logSummary } : {}),
    clients,
    brokerDrops,
    ...(played.observed ? { observed: played.observed } : {}),
  };
}

/** The traffic as played, whichever way it was planned. */
interface PlayedTraffic {
  traffic: TrafficOutcome;
  plan: TrafficPlan;
  user: string;
  faults: InjectedFault[];
  skipped: string[];
  observed?: Observations;
}

/**
 * The default (`--scenario all` with `--broker-admin`): phases aimed at each known mechanism, timed from
 * what the broker's record shows of the deployment. Its opening burst is the pre-flight check.
 */
async function targetedRun(options: ProbeOptions, admin: BrokerAdminClient, progress: (line: string) => void): Promise<PlayedTraffic> {
  progress(`traffic: ${options.clients} clients, the default plan timed from the broker's record, at most ${options.durationMs / 1000} s`);
  try {
    const run = await runTargetedTraffic({
      url: options.url,
      apiKey: options.apiKey,
      clients: options.clients,
      durationMs: options.durationMs,
      universe: loadSymbolUniverse(),
      seed: options.seed,
      broker: admin,
      onPhase: progress,
      ...(options.onLive ? { onLive: options.onLive } : {}),
    });
    return { traffic: run, plan: run.plan, user: run.user, faults: run.faults, skipped: run.skipped, observed: run.observations };
  } catch (err) {
    if (!(err instanceof BurstRefused)) throw err;
    if (err.keyRefused) throw new ProbeCannotStart(`${options.url} refused the API key (${err.message}); check --api-key`);
    throw new ProbeCannotStart(`${err.message}; is the gateway running?`);
  }
}

/** A fixed plan of one scenario: a pre-flight connection first, which becomes the first client. */
async function plannedRun(options: ProbeOptions, admin: BrokerAdminClient | undefined, progress: (line: string) => void): Promise<PlayedTraffic> {
  progress(`pre-flight: authenticating at ${options.url}`);
  const preflight = await checkTarget(options);
  const plan = planTraffic({ ...options, universe: loadSymbolUniverse(), random: mulberry32(options.seed) });
  progress(`traffic: ${plan.clients.length} clients, scenario ${options.scenario}, ${options.durationMs / 1000} s`);
  const traffic = await runTraffic(plan, {
    url: options.url,
    apiKey: options.apiKey,
    firstSession: preflight,
    ...(options.onLive ? { onLive: options.onLive } : {}),
    ...(admin ? { dropBroker: () => admin.inject({ type: 'drop-all' }) } : {}),
  });
  const faults = traffic.brokerDrops
    .filter((d) => d.done)
    .map((d) => ({ type: 'drop-all' as const, at: traffic.startedAt + d.at, ...(d.affectedByClientCode ? { affectedByClientCode: d.affectedByClientCode } : {}) }));
  return { traffic, plan, user: preflight.userId, faults, skipped: [] };
}

/**
 * A drop counts as done only when it ended at least one connection of a client code the run used (one
 * the broker accepted a connection for during the run): a drop that hit nothing (the gateway held no
 * upstream then) or only other users' connections tested nothing.
 */
function judgeDrop(drop: BrokerDrop, broker: BrokerEvidence | undefined): BrokerDrop {
  if (!drop.done) return drop;
  if (!drop.affectedByClientCode) {
    return { ...drop, done: false, detail: 'the broker did not say which connections it dropped, so the drop cannot be confirmed' };
  }
  const targetCodes = new Set((broker?.connections ?? []).filter((c) => !c.openedBefore).map((c) => c.clientCode));
  const hit = Object.entries(drop.affectedByClientCode).filter(([code, n]) => n > 0 && targetCodes.has(code));
  if (hit.length > 0) return { ...drop, detail: `broker dropped ${hit.map(([code, n]) => `${n} connection(s) of ${code}`).join(', ')}` };
  const others = Object.entries(drop.affectedByClientCode).filter(([, n]) => n > 0);
  const what = others.length ? `only other client codes (${others.map(([code, n]) => `${code}: ${n}`).join(', ')})` : 'no connection';
  return { ...drop, done: false, detail: `the drop ended ${what}; the target held no upstream connection then` };
}

/** Any failed check fails the probe; without a broker or log check that ran, it cannot judge. */
export function verdictOf(checks: ProbeCheck[]): Verdict {
  if (checks.some((c) => c.status === 'fail')) return 'fail';
  const judged = checks.some((c) => c.source !== 'clients' && c.status !== 'unchecked');
  return judged ? 'pass' : 'cannot-judge';
}

async function readBroker(admin: BrokerAdminClient, url: string): Promise<BrokerRecord> {
  try {
    return await admin.record();
  } catch (err) {
    throw new ProbeCannotStart(`cannot read the broker's record at --broker-admin ${url}: ${reasonOf(err)}`);
  }
}

/**
 * One connection first, so an unreachable target or a refused key is one clear message, not 20 failures.
 * The connection stays open and becomes the run's first client: closing it and connecting again would
 * be the very churn the probe looks for. Resolves with the open session (its `userId` names the user).
 */
async function checkTarget(options: ProbeOptions): Promise<OpenAlgoSession> {
  try {
    return await OpenAlgoSession.open(options.url, { apiKey: options.apiKey, replyTimeoutMs: 5000 });
  } catch (err) {
    if (!(err instanceof SessionError)) throw err;
    if (err.code === ErrorCode.authentication) {
      throw new ProbeCannotStart(`${options.url} refused the API key (${err.message || err.code}); check --api-key`);
    }
    if (err.code === SessionFailure.unreachable) throw new ProbeCannotStart(`${err.message}; is the gateway running?`);
    throw new ProbeCannotStart(`${options.url} did not authenticate the probe (${err.code}: ${err.message}); is it an OpenAlgo WebSocket endpoint?`);
  }
}

/** Distinct instruments the plan subscribes: each is one broker token. */
function distinctTokens(plan: TrafficPlan): number {
  const symbols = new Set<string>();
  for (const client of plan.clients) {
    for (const step of client.steps) {
      if (step.kind === 'subscribe') for (const batch of step.batches) for (const s of batch) symbols.add(`${s.exchange}:${s.symbol}`);
    }
  }
  return symbols.size;
}

function logCheck(log: FindingSummary & { bytes: number }): ProbeCheck {
  const errors = [...countsByRule(log)].filter(([, r]) => r.severity === 'error');
  const detail = errors.length
    ? errors.map(([rule, r]) => `${rule} ×${r.lines}`).join(', ') + (log.stormKinds.length ? ` (storm kind: ${log.stormKinds.join(' + ')})` : '')
    : `${log.linesRecognised} recognised lines, no error finding`;
  return { source: 'log', name: 'no error finding in the lines the log gained', status: errors.length ? 'fail' : 'pass', detail };
}

function clientChecks(clients: ClientSummary): ProbeCheck[] {
  const fed = clients.subscribing - clients.withoutData.length;
  const brokerErrors = clients.errorCounts[ErrorCode.broker] ?? 0;
  return [
    {
      source: 'clients',
      name: 'every subscribed client received data',
      status: clients.withoutData.length ? 'fail' : 'pass',
      detail: `${fed} of ${clients.subscribing}` + (clients.withoutData.length ? `; without data: ${namesOf(clients.withoutData)}` : ''),
    },
    {
      source: 'clients',
      name: 'no client got BROKER_ERROR',
      status: brokerErrors ? 'fail' : 'pass',
      detail: brokerErrors ? `${brokerErrors} frame(s) to ${namesOf(clients.withBrokerError)}` : '0',
    },
  ];
}

/** A few client names, then how many more: the JSON report has them all. */
function namesOf(names: string[], shown = 4): string {
  return names.length > shown ? `${names.slice(0, shown).join(', ')} and ${names.length - shown} more` : names.join(', ');
}

/** The useful part of a fetch or socket error: Node hides ECONNREFUSED under `cause`. */
export function reasonOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message ?? String(err);
}
