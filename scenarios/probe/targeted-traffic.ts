import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { mulberry32, type BrokerEvent, type Fault } from '../../mock-broker/index.ts';
import { ErrorCode } from '../../protocol/openalgo/index.ts';
import type { BrokerRecord } from '../evidence/broker-evidence.ts';
import { burstOf, servicesOf, watchlist, type ClientPlan, type ClientStep, type SymbolUniverse, type TrafficPlan } from '../traffic/traffic-plan.ts';
import { ClientScript, liveCounts, type BrokerDrop, type LiveCounts, type TrafficOutcome } from '../traffic/traffic-runner.ts';
import type { InjectedFault } from './broker-verdict.ts';

/** The mock broker as the default probe sees it: its record, and faults it can inject. */
export interface BrokerView {
  record(): Promise<BrokerRecord>;
  inject(fault: Fault): Promise<{ affectedByClientCode: Record<string, number> } | undefined>;
}

export interface TargetedRunOptions {
  url: string;
  apiKey: string;
  clients: number;
  durationMs: number;
  universe: SymbolUniverse;
  /** Seeds which symbols each client watches, how its bursts split, which closes are abrupt. */
  seed: number;
  broker: BrokerView;
  replyTimeoutMs?: number; // 5000
  onLive?: (counts: LiveCounts) => void;
  onPhase?: (line: string) => void;
}

/** What the probe learnt of the deployment, in ms. */
export interface Observations {
  /** From the first authenticate to the upstream connection the broker accepted. */
  upstreamOpenMs?: number;
  /** From the last client leaving to the upstream closing (a deployment that tears down). */
  teardownMs?: number;
  /** From a broker drop to the deployment's next handshake: its retry sleep. */
  retryMs?: number;
}

/** No client of the opening burst authenticated: the target or the key is unusable. */
export class BurstRefused extends Error {
  constructor(
    /** The endpoint answered AUTHENTICATION_ERROR: the key is wrong. */
    readonly keyRefused: boolean,
    message: string,
  ) {
    super(message);
  }
}

export interface TargetedOutcome extends TrafficOutcome {
  /** The user the endpoint authenticated the key as. */
  user: string;
  /** The steps the clients took, at their offsets: the plan as it was played. */
  plan: TrafficPlan;
  faults: InjectedFault[];
  observations: Observations;
  /** Phases the run's duration left no time for. */
  skipped: string[];
}

/**
 * The quiet end of the run, after the upstream came back from the last phase: long enough for the
 * replayed subscriptions' first ticks on a loaded machine.
 */
const QUIET_TAIL_MS = 3_000;

/** How long the broker's record is watched for an answer to a phase, at most. */
const WATCH_MS = { open: 3_000, teardown: 800, retry: 6_000, recover: 8_000 } as const;
const POLL_MS = 50;
/** Long enough for a watchdog of a few seconds to notice, short enough that a 90 s watchdog never does. */
const STALL_MS = 4_000;
/** The churners of a drop leave this long before it and come back this long after it. */
const LEAVE_BEFORE_DROP_MS = 100;
const RETURN_AFTER_DROP_MS = [300, 500] as const;
/** Without an observed teardown, the first churn wave stays away this long. */
const DEFAULT_GAP_MS = 600;
/** Bounds of the time the client set stays empty after a drop: past the retry sleep, within the run. */
const EMPTY_IN_SLEEP_MS = [1_500, 5_000] as const;

/**
 * The default probe's traffic: one app of one user, every phase aimed at a known mechanism of the bug and
 * timed from what the broker's record shows of the deployment.
 *
 * 1. Every client opens its socket, then all authenticate at once (creation without single-flight).
 * 2. Everyone leaves, and returns once the upstream was torn down (teardown on the last client).
 * 3. Everyone leaves and returns inside the teardown the deployment took in 2.
 * 4. A broker drop; the time to the next handshake is the deployment's retry sleep (nested chains,
 *    subscriptions lost on reconnect).
 * 5. A stall a short watchdog notices (the new socket opened before the old one closes).
 * 6. A drop, and the client set empties during the retry sleep learnt in 4, past its end (zombie
 *    retries, dialling with no client).
 * 7. A drop while the option-chain clients churn, with the first reconnect refused (retry without
 *    back-off).
 * Then a quiet tail in which every client must receive data again. Phases the duration has no room for
 * are skipped and named.
 */
export async function runTargetedTraffic(options: TargetedRunOptions): Promise<TargetedOutcome> {
  const run = new TargetedRun(options);
  try {
    await run.play();
  } finally {
    await run.finish();
  }
  return run.outcome();
}

class TargetedRun {
  readonly startedAt = Date.now();
  private readonly deadline: number;
  private readonly signal: AbortSignal;
  private readonly abort: AbortController;
  private readonly plans: ClientPlan[] = [];
  private readonly scripts: ClientScript[] = [];
  private readonly watchlists: ReturnType<typeof watchlist>[] = [];
  private readonly faults: InjectedFault[] = [];
  private readonly drops: BrokerDrop[] = [];
  private readonly observed: Observations = {};
  private readonly skipped: string[] = [];
  private clientCode: string | undefined;
  private user = '';
  private live: NodeJS.Timeout | undefined;
  private readonly random: () => number;

  constructor(private readonly options: TargetedRunOptions) {
    this.deadline = this.startedAt + options.durationMs;
    this.random = mulberry32(options.seed);
    this.abort = new AbortController();
    this.signal = this.abort.signal;
    // Every client waits on the one deadline: many listeners is the design (the client count is bounded).
    setMaxListeners(0, this.signal);
    const services = servicesOf(options.universe);
    for (let i = 0; i < options.clients; i++) {
      const service = services[i % services.length];
      const plan: ClientPlan = { name: `${service}#${Math.floor(i / services.length) + 1}`, service, steps: [] };
      this.plans.push(plan);
      this.watchlists.push(watchlist(service, options.universe, this.random));
      this.scripts.push(new ClientScript(plan, { url: options.url, apiKey: options.apiKey, replyTimeoutMs: options.replyTimeoutMs ?? 5_000 }, this.startedAt, this.signal, () => undefined));
    }
  }

  async play(): Promise<void> {
    const { onLive } = this.options;
    if (onLive) this.live = setInterval(() => onLive(liveCounts(this.scripts)), 500);
    await this.burst();
    // Each phase with the most time it can take, in the order they run.
    const phases: [string, number, () => Promise<void>][] = [
      ['churn: leave and return after the teardown', 2_000, () => this.churnAfterTeardown()],
      ['churn: leave and return inside the teardown', 1_500, () => this.churnInsideTeardown()],
      ['drop: learn the retry sleep', WATCH_MS.retry, () => this.learnRetrySleep()],
      ['stall', STALL_MS + WATCH_MS.open, () => this.stall()],
      ['drop: the client set empties in the retry sleep', EMPTY_IN_SLEEP_MS[1] + WATCH_MS.open, () => this.emptyInRetrySleep()],
      ['drop while clients churn, the first reconnect refused', WATCH_MS.recover, () => this.dropWhileChurning()],
    ];
    for (const [name, needsMs, phase] of phases) {
      if (Date.now() + needsMs > this.deadline - QUIET_TAIL_MS) {
        this.skipped.push(name);
        continue;
      }
      this.options.onPhase?.(`traffic: ${name}`);
      await phase();
    }
    this.options.onPhase?.('traffic: quiet tail');
    for (const script of this.scripts) script.markQuietTail();
    await sleep(Math.max(0, Math.min(QUIET_TAIL_MS, this.deadline - Date.now())));
  }

  outcome(): TargetedOutcome {
    const endedAt = Date.now();
    const plan: TrafficPlan = {
      scenario: 'all',
      seed: this.options.seed,
      durationMs: endedAt - this.startedAt,
      clients: this.plans,
      brokerDrops: this.drops.map((d) => d.at),
    };
    return {
      user: this.user,
      startedAt: this.startedAt,
      endedAt,
      clients: this.scripts.map((s) => s.outcome),
      brokerDrops: this.drops,
      plan,
      faults: this.faults,
      observations: this.observed,
      skipped: this.skipped,
    };
  }

  async finish(): Promise<void> {
    clearInterval(this.live);
    this.abort.abort();
    await Promise.all(this.scripts.map((s) => s.finish()));
  }

  /** Every socket opens first; then every client authenticates in the same turn, and subscribes. */
  private async burst(): Promise<void> {
    const from = Date.now();
    let opened = 0;
    let release!: () => void;
    const together = new Promise<void>((resolve) => (release = resolve));
    // A socket that never opens must not hold the others back for long.
    const timer = setTimeout(() => release(), 1_000);
    const barrier = () => {
      opened += 1;
      if (opened === this.scripts.length) release();
      return together;
    };
    await Promise.all(this.scripts.map((_, i) => this.connect(i, barrier)));
    clearTimeout(timer);
    if (!this.scripts.some((s) => s.connected)) {
      const outcomes = this.scripts.map((s) => s.outcome);
      const keyRefused = outcomes.some((o) => (o.errorCounts[ErrorCode.authentication] ?? 0) > 0);
      // A failure reads `CODE: message`; the message alone names the URL and the reason.
      const first = outcomes[0]?.connectFailures[0] ?? 'no client could connect';
      throw new BurstRefused(keyRefused, first.slice(first.indexOf(': ') + 2));
    }
    this.user = this.scripts.find((s) => s.connected)!.userId;
    const open = await this.watch((e) => e.type === 'accepted' && e.time >= from, WATCH_MS.open);
    if (open) {
      this.clientCode = open.clientCode;
      this.observed.upstreamOpenMs = open.time - from;
    }
  }

  /** Everyone leaves at once, and returns once the upstream was torn down (or after a default gap): learns the teardown. */
  private async churnAfterTeardown(): Promise<void> {
    const left = await this.leaveAll();
    const teardown = await this.watch((e) => e.type === 'closed' && e.time >= left && this.isOurs(e), WATCH_MS.teardown);
    if (teardown) this.observed.teardownMs = teardown.time - left;
    await this.returnAll(left + (this.observed.teardownMs === undefined ? DEFAULT_GAP_MS : this.observed.teardownMs + 150));
  }

  /** Everyone leaves at once and returns halfway through the teardown the first wave saw. */
  private async churnInsideTeardown(): Promise<void> {
    const { teardownMs } = this.observed;
    const left = await this.leaveAll();
    await this.returnAll(left + (teardownMs === undefined ? DEFAULT_GAP_MS / 2 : Math.max(20, Math.round(teardownMs / 2))));
  }

  private async leaveAll(): Promise<number> {
    const left = Date.now();
    await Promise.all(this.scripts.map((_, i) => this.leave(i)));
    return left;
  }

  /** Every client connects again at `time`; waits (bounded) for the upstream if the deployment had torn it down. */
  private async returnAll(time: number): Promise<void> {
    await sleep(Math.max(0, time - Date.now()));
    await Promise.all(this.scripts.map((_, i) => this.connect(i)));
    if (this.observed.teardownMs !== undefined) await this.watch((e) => e.type === 'accepted' && e.time >= time && this.isOurs(e), WATCH_MS.open);
  }

  private async learnRetrySleep(): Promise<void> {
    const at = await this.inject({ type: 'drop-all' });
    const next = await this.watch((e) => e.type !== 'closed' && e.time > at && this.isOurs(e), WATCH_MS.retry);
    if (next) this.observed.retryMs = next.time - at;
    await this.watch((e) => e.type === 'accepted' && e.time > at && this.isOurs(e), WATCH_MS.open);
  }

  private async stall(): Promise<void> {
    const at = await this.inject({ type: 'stall', ms: STALL_MS });
    await sleep(STALL_MS);
    const reconnected = await this.watch((e) => e.type === 'closed' && e.time > at && this.isOurs(e), 0);
    if (reconnected) await this.watch((e) => e.type === 'accepted' && e.time > at && this.isOurs(e), WATCH_MS.open);
  }

  private async emptyInRetrySleep(): Promise<void> {
    const retry = this.observed.retryMs ?? WATCH_MS.retry;
    const awayMs = Math.min(EMPTY_IN_SLEEP_MS[1], Math.max(EMPTY_IN_SLEEP_MS[0], 2 * retry + 500));
    const at = await this.inject({ type: 'drop-all' });
    await this.leaveAll();
    await sleep(Math.max(0, at + awayMs - Date.now()));
    await Promise.all(this.scripts.map((_, i) => this.connect(i)));
    await this.watch((e) => e.type === 'accepted' && e.time > at + awayMs && this.isOurs(e), WATCH_MS.open);
  }

  /**
   * The option-chain clients leave just before the drop and come back after it; the rest stay connected
   * and subscribe nothing again, and their (token, mode) pairs are theirs alone (Quote and LTP against the
   * option chains' Depth), so only a deployment that replays its subscriptions feeds them again.
   */
  private async dropWhileChurning(): Promise<void> {
    const churners = this.plans.map((p, i) => (p.service.startsWith('option-chain') ? i : -1)).filter((i) => i >= 0);
    await this.options.broker.inject({ type: 'reject-next', count: 1 });
    this.faults.push({ type: 'reject-next', at: Date.now() });
    await Promise.all(churners.map((i) => this.leave(i)));
    await sleep(LEAVE_BEFORE_DROP_MS);
    const at = await this.inject({ type: 'drop-all' });
    const [lo, hi] = RETURN_AFTER_DROP_MS;
    await Promise.all(
      churners.map(async (i) => {
        await sleep(Math.round(lo + this.random() * (hi - lo)));
        await this.connect(i);
      }),
    );
    await this.watch((e) => e.type === 'accepted' && e.time > at && this.isOurs(e), WATCH_MS.recover);
  }

  private async connect(i: number, beforeAuthenticate?: () => Promise<void>): Promise<void> {
    const { symbols, mode } = this.watchlists[i];
    await this.step(i, { at: 0, kind: 'connect' }, beforeAuthenticate);
    if (this.scripts[i].connected) await this.step(i, { at: 0, kind: 'subscribe', batches: burstOf(symbols, this.random), mode });
  }

  private leave(i: number): Promise<void> {
    return this.step(i, { at: 0, kind: 'disconnect', abrupt: this.random() < 0.5 });
  }

  /** Takes a step now and writes it into the client's plan at its offset, so the plan is the run as played. */
  private step(i: number, step: ClientStep, beforeAuthenticate?: () => Promise<void>): Promise<void> {
    const at = Date.now() - this.startedAt;
    this.plans[i].steps.push({ ...step, at });
    return this.scripts[i].act(step, beforeAuthenticate);
  }

  /** Injects a fault; a drop's outcome is kept as a broker drop. Resolves with the epoch ms of the injection. */
  private async inject(fault: Fault): Promise<number> {
    const at = Date.now();
    try {
      const result = await this.options.broker.inject(fault);
      const affectedByClientCode = result?.affectedByClientCode;
      this.faults.push({ type: fault.type, at, ...(affectedByClientCode ? { affectedByClientCode } : {}) });
      if (fault.type === 'drop-all') {
        const ended = Object.values(affectedByClientCode ?? {}).reduce((a, b) => a + b, 0);
        this.drops.push({ at: at - this.startedAt, done: true, detail: result ? `broker dropped ${ended} connection(s)` : 'broker dropped every connection', ...(affectedByClientCode ? { affectedByClientCode } : {}) });
      }
    } catch (err) {
      if (fault.type === 'drop-all') this.drops.push({ at: at - this.startedAt, done: false, detail: `drop failed: ${(err as Error).message}` });
    }
    return at;
  }

  /** Events of the user's client code once the burst named it; before that, any. */
  private isOurs(event: BrokerEvent): boolean {
    return this.clientCode === undefined || event.clientCode === this.clientCode;
  }

  /** Polls the broker's record until an event matches, for at most `timeoutMs` (0: look once). */
  private async watch(match: (e: BrokerEvent) => boolean, timeoutMs: number): Promise<BrokerEvent | undefined> {
    const until = Math.min(Date.now() + timeoutMs, this.deadline);
    for (;;) {
      try {
        const { events } = await this.options.broker.record();
        const found = events.find((e) => (e.endpoint ?? 'smart-stream') === 'smart-stream' && match(e));
        if (found) return found;
      } catch {
        // An unreadable record is judged after the run; here it only means no observation.
      }
      if (Date.now() + POLL_MS > until) return undefined;
      await sleep(POLL_MS);
    }
  }
}
