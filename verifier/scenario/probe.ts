import { setTimeout as sleep } from 'node:timers/promises';
import { mulberry32 } from '../../fixtures/angel-broker/index.ts';
import type { BrokerEvent } from '../../fixtures/angel-broker/types.ts';
import { ErrorCode } from '../../gateway/openalgo/protocol.ts';
import { BrokerAdminClient } from './broker-admin-client.ts';
import { summariseBroker, sum, type BrokerEvidence, type BrokerRecord } from './broker-evidence.ts';
import { summariseClients, type ClientSummary } from './client-summary.ts';
import { countsByRule, summariseFindings, type FindingSummary } from './finding-summary.ts';
import { LogWindow } from './log-window.ts';
import { OpenAlgoSession, SessionError, SessionFailure } from './openalgo-client.ts';
import { loadSymbolUniverse } from './symbol-universe.ts';
import { planPhases } from './plan-phases.ts';
import type { RunRecord } from './run-record.ts';
import { planTraffic, type Scenario } from './traffic-plan.ts';
import { runTraffic } from './traffic-runner.ts';

export interface ProbeOptions {
  url: string;
  apiKey: string;
  clients: number;
  scenario: Scenario;
  durationMs: number;
  seed: number;
  brokerAdmin?: string;
  logFile?: string;
  onProgress?: (line: string) => void;
  /** Given the broker's timeline and the log's window as the probe ends (for `--html`). */
  onRunRecord?: (record: RunRecord) => void;
}

export type CheckStatus = 'pass' | 'fail' | 'unchecked';

export interface ProbeCheck {
  source: 'broker' | 'log' | 'clients';
  name: string;
  status: CheckStatus;
  detail: string;
}

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
  brokerDrops: { at: number; done: boolean; detail: string }[];
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

  const user = await checkTarget(options);
  const universe = loadSymbolUniverse();
  const plan = planTraffic({ ...options, universe, random: mulberry32(options.seed) });
  progress(`probing ${options.url}: ${plan.clients.length} clients, scenario ${options.scenario}, ${options.durationMs / 1000} s…`);
  const traffic = await runTraffic(plan, {
    url: options.url,
    apiKey: options.apiKey,
    ...(admin ? { dropBroker: () => admin.client.inject({ type: 'drop-all' }) } : {}),
  });
  await sleep(SETTLE_MS);

  const checks: ProbeCheck[] = [];
  const couldNotCheck: string[] = [];
  let broker: BrokerEvidence | undefined;
  let brokerEvents: BrokerEvent[] = [];
  const to = Date.now();
  if (admin && before) {
    try {
      const after = await admin.client.record();
      broker = summariseBroker({ before, after, from, to });
      brokerEvents = after.events.filter((e) => e.time >= from && e.time <= to);
      checks.push(...brokerChecks(broker, before));
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

  const clients = summariseClients(plan, traffic.clients);
  checks.push(...clientChecks(clients));
  for (const check of checks.filter((c) => c.status === 'unchecked')) couldNotCheck.push(`${check.source}: ${check.detail}`);
  for (const drop of traffic.brokerDrops.filter((d) => !d.done)) {
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
    brokerDrops: traffic.brokerDrops,
  };
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
 * Resolves with the user the key belongs to.
 */
async function checkTarget(options: ProbeOptions): Promise<string> {
  try {
    const session = await OpenAlgoSession.open(options.url, { apiKey: options.apiKey, replyTimeoutMs: 5000 });
    await session.close();
    return session.userId;
  } catch (err) {
    if (!(err instanceof SessionError)) throw err;
    if (err.code === ErrorCode.authentication) {
      throw new ProbeCannotStart(`${options.url} refused the API key (${err.message || err.code}); check --api-key`);
    }
    if (err.code === SessionFailure.unreachable) throw new ProbeCannotStart(`${err.message}; is the gateway running?`);
    throw new ProbeCannotStart(`${options.url} did not authenticate the probe (${err.code}: ${err.message}); is it an OpenAlgo WebSocket endpoint?`);
  }
}

function brokerChecks(broker: BrokerEvidence, before: BrokerRecord): ProbeCheck[] {
  const codes = Object.keys(broker.peak);
  const openBefore = Object.values(before.stats.current).some((n) => n > 0);
  if (codes.length === 0 && !openBefore) {
    const detail = 'the broker saw no connection during the probe — is --broker-admin the broker behind the target?';
    return [{ source: 'broker', name: 'broker saw the probe', status: 'unchecked', detail }];
  }
  const over = codes.filter((code) => broker.peak[code] > 1);
  const peaks = codes.map((code) => `${code}: ${broker.peak[code]}`).join(', ') || 'no new connection';
  const refused = sum(broker.rejected429);
  const refusedBy = Object.entries(broker.rejected429).map(([code, n]) => `${code}: ${n}`).join(', ');
  return [
    { source: 'broker', name: 'peak upstream connections per client code ≤ 1', status: over.length ? 'fail' : 'pass', detail: peaks },
    { source: 'broker', name: 'no 429 during the probe', status: refused ? 'fail' : 'pass', detail: refused ? `${refused} × 429 (${refusedBy})` : '0' },
  ];
}

function logCheck(log: FindingSummary & { bytes: number }): ProbeCheck {
  const errors = [...countsByRule(log)].filter(([, r]) => r.severity === 'error');
  const detail = errors.length
    ? errors.map(([rule, r]) => `${rule} ×${r.count}`).join(', ') + (log.stormKinds.length ? ` (storm kind: ${log.stormKinds.join(' + ')})` : '')
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
