import fc from 'fast-check';
import { BrokerAdminClient } from '../probe/broker-admin-client.ts';
import { ProbeCannotStart, reasonOf } from '../probe/probe.ts';
import { OpenAlgoSession, SessionError } from '../traffic/openalgo-client.ts';
import { loadSymbolUniverse } from '../traffic/symbol-universe.ts';
import { ErrorCode, type SymbolRef } from '../../protocol/openalgo/index.ts';
import type { RunRecord } from '../evidence/run-record.ts';
import { learnTiming, TimingNotLearned, type DeploymentTiming } from './deployment-timing.ts';
import type { ExplorePlan } from './explore-plan.ts';
import { MECHANISMS, mechanismsOf, type Mechanism } from './mechanisms.ts';
import { firstContactPlan, planArbitrary } from './plan-arbitrary.ts';
import { assertKeyAccepted, preflight } from './preflight.ts';
import { closeOpenConnections, runPlan, type PlanRun } from './plan-runner.ts';
import { failureWords, planSteps, type TimedFault } from './plan-wording.ts';
import { judgeSequence, type SequenceVerdict, type Violation } from './sequence-judge.ts';
import { runRecordOf } from './run-record-of.ts';

export interface ExploreOptions {
  url: string;
  apiKey: string;
  brokerAdmin: string;
  /** The deployment's log: its lines during each sequence are verified, as evidence beside the broker's. */
  logFile?: string;
  seed: number;
  /** Search and shrinking together, from the first connection. */
  budgetMs: number;
  /** Clients a sequence drives at most. Default 3. */
  clients?: number;
  /** Steps a sequence has at most. Default 10. */
  maxSteps?: number;
  onProgress?: (line: string) => void;
  /** Given the broker's timeline of the minimal failing sequence (or the last one run), for `--html`. */
  onRunRecord?: (record: RunRecord) => void;
  /**
   * Given the first failing sequence, then each smaller one shrinking finds, as it is found: a caller
   * saves it so that an interrupted search still leaves its failure behind.
   */
  onFailure?: (plan: ExplorePlan) => void;
  /**
   * Ends the search early, as the budget does (SIGINT or SIGTERM): the report then holds what ran so far,
   * the failure found and the smallest sequence shrinking had reached.
   */
  signal?: AbortSignal;
}

/** The minimal failing sequence and how it was found. */
export interface ExploreFailure {
  /** The failure in one line: what the clients or the broker did, and what followed. */
  summary: string;
  /** The minimal sequence, one line per moment. */
  steps: string[];
  violations: Violation[];
  /** What the deployment's log said during the minimal sequence (with `logFile`). */
  log?: string;
  plan: ExplorePlan;
  /** From the explorer's start to the first failing sequence's verdict. */
  firstFailureMs: number;
  /** Steps of the first failing sequence and of the minimal one (fast-check's shrinking). */
  firstFailingSteps: number;
  minimalSteps: number;
  /** Sequences run while shrinking. */
  shrinkRuns: number;
  /** The search ran out of budget while shrinking: a smaller sequence may exist. */
  shrinkInterrupted: boolean;
}

export interface ExploreReport {
  schemaVersion: 1;
  command: 'probe';
  mode: 'explore';
  target: string;
  user: string;
  options: { seed: number; budgetMs: number; brokerAdmin: string; clients: number; maxSteps: number };
  timing: DeploymentTiming;
  verdict: 'pass' | 'fail';
  /** Sequences run before the first failure (all of them when none failed). */
  sequences: number;
  elapsedMs: number;
  /** How many of those sequences exercised each mechanism. */
  mechanisms: Record<Mechanism, number>;
  failure?: ExploreFailure;
}

const DEFAULT_CLIENTS = 3;
const DEFAULT_STEPS = 6;
/** A few symbols, so the clients' subscriptions overlap. */
const SYMBOLS = 4;

/** Fault times of one run, from its start. */
export function firedFaults(run: PlanRun): TimedFault[] {
  return run.faults.flatMap((shot) => (shot.firedAt === undefined ? [] : [{ atMs: shot.firedAt - run.from, fault: shot.planned.fault }]));
}

/**
 * `probe --explore`: makes first contact (every client authenticates at once, judged as sequence 1),
 * learns the deployment's time scale, then lets fast-check generate sequences of client
 * actions and broker faults, runs each against the endpoint and judges it from the broker's record. The
 * first failing sequence is shrunk to a minimal one; `budgetMs` bounds all of it. Throws ProbeCannotStart
 * when it cannot begin (target unreachable, key refused, broker admin unreadable, no upstream to learn from).
 */
export async function runExplore(options: ExploreOptions): Promise<ExploreReport> {
  const startedAt = Date.now();
  const deadline = startedAt + options.budgetMs;
  const progress = options.onProgress ?? (() => {});
  const admin = new BrokerAdminClient(options.brokerAdmin);
  const clients = options.clients ?? DEFAULT_CLIENTS;
  const maxSteps = options.maxSteps ?? DEFAULT_STEPS;
  const universe = loadSymbolUniverse();
  const symbols: SymbolRef[] = [...universe.underlyings.slice(0, 1), ...universe.equities.slice(0, SYMBOLS - 1)];

  await preflight(options.url, options.brokerAdmin, admin);
  const runOptions = { url: options.url, apiKey: options.apiKey, admin, ...(options.logFile ? { logFile: options.logFile } : {}) };
  progress(`first contact: ${clients} client${clients === 1 ? '' : 's'} authenticate at once`);
  const opening = firstContactPlan(options.seed, symbols, clients);
  const openingRun = await runPlan(opening, { ...runOptions, ...(options.signal ? { signal: options.signal } : {}) });
  assertKeyAccepted(openingRun, options.url);
  progress(`learning the deployment's timing at ${options.url}`);
  const { timing, user } = await learn(options, admin, symbols[0]);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  options.signal?.addEventListener('abort', onSignal, { once: true });
  if (options.signal?.aborted) stop.abort();
  // OpenAlgo's SDK leaves an older socket open when its adapter goes: it would count against sequence 1.
  await closeOpenConnections(admin, [timing.clientCode]);
  progress(
    `timing: dials ${timing.dialMs} ms after a subscribe, dials again ${timing.reconnectMs} ms after a broker drop` +
      (timing.note ? ` (${timing.note})` : ''),
  );

  const mechanisms = Object.fromEntries(MECHANISMS.map((m) => [m, 0])) as Record<Mechanism, number>;
  const failures: { plan: ExplorePlan; run: PlanRun; verdict: SequenceVerdict }[] = [];
  let firstFailureMs = 0;
  let sequences = 0;
  let shrinkRuns = 0;
  let last: { plan: ExplorePlan; run: PlanRun } | undefined;
  const stopTimer = setTimeout(() => stop.abort(), Math.max(0, deadline - Date.now()));
  let inFlight: Promise<unknown> = Promise.resolve();
  let broken: unknown;

  /** Counts a judged sequence (or shrinking run), keeps it when it failed, and says so; true when it passed. */
  const judged = (plan: ExplorePlan, run: PlanRun): boolean => {
    last = { plan, run };
    const verdict = judgeSequence(run, plan);
    const shrinking = failures.length > 0;
    if (shrinking) shrinkRuns += 1;
    else {
      sequences += 1;
      for (const m of mechanismsOf(plan, firedFaults(run), timing.reconnectMs)) mechanisms[m] += 1;
    }
    if (verdict.failed && failures.length === 0) firstFailureMs = Date.now() - startedAt;
    if (verdict.failed) {
      failures.push({ plan, run, verdict });
      options.onFailure?.(plan);
    }
    const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    progress(
      shrinking
        ? `shrinking: ${shrinkRuns} tried, smallest failing sequence ${stepCount(failures.at(-1)!.plan)} steps, ${left} s left`
        : `sequence ${sequences}: ${verdict.failed ? `FAIL (${verdict.violations.map((v) => v.kind).join(', ')})` : 'pass'}, ${left} s left`,
    );
    return !verdict.failed;
  };
  if (!openingRun.stopped) judged(opening, openingRun);

  const property = fc.asyncProperty(planArbitrary({ seed: options.seed, timing, symbols, clients, maxSteps }), async (plan) => {
    const running = runPlan(plan, { ...runOptions, signal: stop.signal });
    inFlight = running.catch(() => undefined);
    let run: PlanRun;
    try {
      run = await running;
    } catch (err) {
      // The broker's admin stopped answering: no verdict can be had, and the search must not shrink on it.
      broken ??= err;
      stop.abort();
      throw new fc.PreconditionFailure(true);
    }
    // A run cut short (the budget, an interrupt) proves nothing either way, and ends the search and shrinking.
    if (run.stopped) throw new fc.PreconditionFailure(true);
    return judged(plan, run);
  });

  // A failing first contact is already as small as a start can be: there is nothing to search or shrink.
  let interrupted = stop.signal.aborted || openingRun.stopped;
  try {
    const details = interrupted || failures.length > 0 ? { interrupted } : await fc.check(property, {
      seed: options.seed,
      numRuns: Number.MAX_SAFE_INTEGER,
      plugins: [fc.interruptAfterTimeLimit(Math.max(0, deadline - Date.now()))],
    });
    interrupted = details.interrupted;
  } finally {
    clearTimeout(stopTimer);
    options.signal?.removeEventListener('abort', onSignal);
    stop.abort();
    await inFlight;
  }

  if (broken !== undefined) throw new ProbeCannotStart(`the broker's admin at ${options.brokerAdmin} stopped answering during the search: ${reasonOf(broken)}`);
  const minimal = failures.at(-1);
  const shown = minimal ?? last;
  if (shown) options.onRunRecord?.(runRecordOf(options.url, shown.run, shown.plan));
  const report: ExploreReport = {
    schemaVersion: 1,
    command: 'probe',
    mode: 'explore',
    target: options.url,
    user,
    options: { seed: options.seed, budgetMs: options.budgetMs, brokerAdmin: options.brokerAdmin, clients, maxSteps },
    timing,
    verdict: minimal ? 'fail' : 'pass',
    sequences,
    elapsedMs: Date.now() - startedAt,
    mechanisms,
  };
  if (!minimal) return report;
  const faults = firedFaults(minimal.run);
  const first = minimal.verdict.violations[0];
  return {
    ...report,
    failure: {
      summary: failureWords(minimal.plan, { kind: first.kind, atMs: first.at - minimal.run.from }, faults, timing.reconnectMs),
      steps: planSteps(minimal.plan, timing.reconnectMs),
      violations: minimal.verdict.violations,
      ...(minimal.run.log ? { log: minimal.run.log } : {}),
      plan: minimal.plan,
      firstFailureMs,
      firstFailingSteps: stepCount(failures[0].plan),
      minimalSteps: stepCount(minimal.plan),
      shrinkRuns,
      shrinkInterrupted: interrupted,
    },
  };
}

/** Client actions (a join counts as its three) and faults, without the closing `end`. */
export function stepCount(plan: ExplorePlan): number {
  return plan.clientActions.filter((a) => a.action !== 'end').length + plan.faults.length;
}

/** Connects one client (the key is checked again here, for a clear message) and learns the timing. */
async function learn(options: ExploreOptions, admin: BrokerAdminClient, symbol: SymbolRef): Promise<{ timing: DeploymentTiming; user: string }> {
  const before = await admin.record();
  let session: OpenAlgoSession;
  const openedAt = Date.now();
  try {
    session = await OpenAlgoSession.open(options.url, { apiKey: options.apiKey, replyTimeoutMs: 5000 });
  } catch (err) {
    if (!(err instanceof SessionError)) throw err;
    if (err.code === ErrorCode.authentication) throw new ProbeCannotStart(`${options.url} refused the API key (${err.message || err.code}); check --api-key`);
    throw new ProbeCannotStart(`${err.message}; is the gateway running?`);
  }
  try {
    const timing = await learnTiming(session, openedAt, before, admin, symbol, options.signal);
    return { timing, user: session.userId };
  } catch (err) {
    if (options.signal?.aborted) throw new ProbeCannotStart('interrupted while learning the deployment\'s timing');
    if (err instanceof TimingNotLearned) throw new ProbeCannotStart(err.message);
    throw err;
  } finally {
    await session.close();
  }
}
