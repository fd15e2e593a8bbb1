import { setMaxListeners } from 'node:events';
import type { BrokerAdminClient } from '../probe/broker-admin-client.ts';
import type { BrokerRecord } from '../evidence/broker-evidence.ts';
import { BrokerWatch, isStreamEvent } from './broker-watch.ts';
import { countsByRule, summariseFindings } from '../evidence/finding-summary.ts';
import { LogWindow, type LogWindowResult } from '../probe/log-window.ts';
import { ExploreClient, type ClientTrace } from './explore-client.ts';
import { clientsOf, endOf, type ExploreClientAction, type ExplorePlan } from './explore-plan.ts';
import { fireFault, type FaultShot } from './fault-schedule.ts';
import { sleepUntil } from '../traffic/traffic-runner.ts';

export interface PlanRunOptions {
  url: string;
  apiKey: string;
  admin: BrokerAdminClient;
  /** Stops the run early (the explorer's budget ran out); the run still closes its clients. */
  signal?: AbortSignal;
  replyTimeoutMs?: number;
  /** The deployment's log: the lines it gains during the run are verified as evidence. */
  logFile?: string;
}

/** One run of a plan: the window to judge and what the clients and faults did in it. */
export interface PlanRun {
  /** Epoch ms bounds of the run (the broker's clock, for a broker on this host). */
  from: number;
  to: number;
  before: BrokerRecord;
  after: BrokerRecord;
  clients: ClientTrace[];
  faults: FaultShot[];
  stopped: boolean;
  /** What the deployment's log said about the run, in one line; absent without a log. */
  log?: string;
}

/** After the watch, the broker must have been quiet this long (a late retry lands inside the window). */
const QUIET_SHARE = 0.5;
const LEFTOVER_QUIET_MS = 300;
const MIN_QUIET_MS = 1000;

/**
 * Plays an explorer plan against a live endpoint: each client's actions at their times, each fault
 * through the mock broker's admin API, then the `end`: every client leaves, the broker is watched, and
 * its record is read. Expired tokens are forgotten and leftover connections closed afterwards, so the
 * next sequence starts clean.
 */
export async function runPlan(plan: ExplorePlan, options: PlanRunOptions): Promise<PlanRun> {
  const stop = new AbortController();
  setMaxListeners(0, stop.signal);
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) stop.abort();
  const { admin } = options;
  const end = endOf(plan);
  // A retry still sleeping from whatever ran before dials within a watch; it must not land in this run.
  const quietMs = Math.max(MIN_QUIET_MS, end.watchMs);
  await new BrokerWatch(admin).quiet(undefined, quietMs, 4 * quietMs, stop.signal);
  const before = await admin.record();
  const logWindow = options.logFile === undefined ? undefined : await LogWindow.open(options.logFile);
  const from = Date.now();
  const clientIndexes = clientsOf(plan);
  const clients = new Map(
    clientIndexes.map((i) => [
      i,
      new ExploreClient({ url: options.url, apiKey: options.apiKey, replyTimeoutMs: options.replyTimeoutMs ?? 5000, signal: stop.signal }),
    ]),
  );
  try {
    // Actions of one moment start in plan order (a join's connect before its authenticate): one timer each.
    const acting = [...momentsOf(plan.clientActions)].map(async ([atMs, actions]) => {
      if (await sleepUntil(from + atMs, Date.now, stop.signal)) await Promise.all(actions.map((action) => perform(action, clients)));
    });
    const faults = Promise.all(plan.faults.map((f) => fireFault(f, admin, from, from + end.atMs + end.watchMs, stop.signal)));
    await Promise.all(acting);
    for (const client of clients.values()) client.leave(false);
    await Promise.all([...clients.values()].map((c) => c.settle()));
    const shots = await faults;
    if (await sleepUntil(from + end.atMs + end.watchMs, Date.now, stop.signal)) {
      await new BrokerWatch(admin).quiet(undefined, end.watchMs * QUIET_SHARE, end.watchMs);
    }
    if (shots.some((s) => s.firedAt !== undefined && s.planned.fault.type === 'expire-token')) await admin.reloadAccounts();
    const after = await admin.record();
    const to = Date.now();
    await endLastingFaults(admin, shots);
    await closeLeftovers(admin, after, from);
    const log = logWindow ? logEvidence(await logWindow.read()) : undefined;
    return { from, to, before, after, clients: [...clients.values()].map((c) => c.trace), faults: shots, stopped: stop.signal.aborted, ...(log ? { log } : {}) };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    stop.abort();
    for (const client of clients.values()) client.leave(true);
    await Promise.all([...clients.values()].map((c) => c.settle()));
  }
}

/** The log's error findings by rule, or why the log could not be judged. */
function logEvidence(window: LogWindowResult): string {
  if (!window.checked) return `not checked: ${window.reason}`;
  const errors = [...countsByRule(summariseFindings(window.report))].filter(([, r]) => r.severity === 'error');
  if (errors.length === 0) return `${window.report.linesRecognised} recognised lines, no error finding`;
  return `error findings: ${errors.map(([rule, r]) => `${rule} ×${r.lines}`).join(', ')}`;
}

/**
 * Ends the faults of this run still active at the broker: a reject-next not used up would refuse the next
 * sequence's handshakes, which neither that sequence nor its replay contains.
 */
async function endLastingFaults(admin: BrokerAdminClient, shots: FaultShot[]): Promise<void> {
  for (const shot of shots) if (shot.lastingId !== undefined) await admin.removeFault(shot.lastingId);
}

/**
 * Closes (with a close frame, which no SDK retries) every upstream connection still open of the client
 * codes the sequence used, after its record was read: a zombie holding a slot, or a connection that
 * landed after the last client left, would otherwise count against the next sequence.
 */
async function closeLeftovers(admin: BrokerAdminClient, after: BrokerRecord, from: number): Promise<void> {
  const used = new Set(after.events.filter((e) => e.type === 'accepted' && e.time >= from && isStreamEvent(e)).map((e) => e.clientCode));
  await closeOpenConnections(admin, [...used].filter((code) => (after.stats.current[code] ?? 0) > 0));
}

/** Ends these client codes' open connections with a close frame (which no SDK retries) and waits for quiet. */
export async function closeOpenConnections(admin: BrokerAdminClient, clientCodes: string[]): Promise<void> {
  if (clientCodes.length === 0) return;
  for (const clientCode of clientCodes) await admin.inject({ type: 'drop-all', mode: 'close', clientCode });
  await new BrokerWatch(admin).quiet(undefined, LEFTOVER_QUIET_MS, 4 * LEFTOVER_QUIET_MS);
}

function momentsOf(actions: ExploreClientAction[]): Map<number, ExploreClientAction[]> {
  const moments = new Map<number, ExploreClientAction[]>();
  for (const action of actions) moments.set(action.atMs, [...(moments.get(action.atMs) ?? []), action]);
  return moments;
}

/** Group actions act on every client they name at the same instant; the rest on their one client. */
async function perform(action: ExploreClientAction, clients: Map<number, ExploreClient>): Promise<void> {
  const pick = (set: 'all' | number[]) => (set === 'all' ? [...clients.values()] : set.flatMap((i) => clients.get(i) ?? []));
  switch (action.action) {
    case 'connect':
      return clients.get(action.client)?.connect();
    case 'authenticate':
      return clients.get(action.client)?.authenticate();
    case 'subscribe':
      return clients.get(action.client)?.subscribe(action.symbols, action.mode);
    case 'unsubscribe':
      return clients.get(action.client)?.unsubscribe(action.symbols, action.mode);
    case 'leave':
      for (const client of pick(action.clients)) client.leave(action.abrupt);
      return;
    case 'return':
      await Promise.all(pick(action.clients).map((c) => c.return()));
      return;
    case 'end':
      for (const client of clients.values()) client.leave(false);
      return;
  }
}
