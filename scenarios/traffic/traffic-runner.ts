import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { OpenAlgoSession, SessionError, SessionFailure, type CreateSocket, type ServerError } from './openalgo-client.ts';
import type { ClientPlan, ClientStep, TrafficPlan } from './traffic-plan.ts';
import type { HeldSlots } from './traffic-slot-holder.ts';

/** What one service saw over the whole run, across all its connections. */
export interface ClientOutcome {
  name: string;
  service: string;
  /** Connections that authenticated. */
  sessions: number;
  /** Connections that failed to open or authenticate, with the reason of each. */
  connectFailures: string[];
  marketData: number;
  /** market_data received on the connection that was open at the end (or the last one). */
  finalSessionMarketData: number;
  /** Symbols the server acknowledged on the final connection. */
  finalSessionSubscribed: number;
  /**
   * market_data received in the run's quiet tail (after its last disruption), when the run marked one:
   * a client whose data did not come back after a reconnect shows here, even if it had data before.
   */
  quietTailMarketData?: number;
  /** Requests that got no reply in time or failed without an error frame. */
  unanswered: number;
  /** Error frames the server sent, oldest first (at most 20 kept; `errorCounts` has them all). */
  errors: ServerError[];
  errorCounts: Record<string, number>;
  /** When each authenticated connection was open (epoch ms on the run's clock), oldest first. */
  connectedSpans: { from: number; to: number }[];
}

export interface TrafficOutcome {
  startedAt: number;
  endedAt: number;
  clients: ClientOutcome[];
  brokerDrops: BrokerDrop[];
  /** The other application's hold on the broker slots, when the plan has one. */
  slotHold?: SlotHoldOutcome;
}

/** One planned broker drop; `affectedByClientCode` when the broker said whose connections it ended. */
export interface BrokerDrop {
  at: number;
  done: boolean;
  detail: string;
  affectedByClientCode?: Record<string, number>;
}

export interface SlotHoldOutcome {
  /** Connections the other application held. */
  held: number;
  /** Epoch ms at which it released them (absent when the run ended first). */
  releasedAt?: number;
  detail: string;
}

export interface TrafficRunOptions {
  url: string;
  apiKey: string;
  /**
   * Causes a broker-side drop of every connection; absent when the runner has no way to. Resolves with
   * the connections it ended per client code when the broker reports them.
   */
  dropBroker?: () => Promise<{ affectedByClientCode: Record<string, number> } | void>;
  /** Makes another application take the broker slots; absent when the runner has no way to. */
  holdSlots?: () => Promise<HeldSlots>;
  replyTimeoutMs?: number; // 5000
  createSocket?: CreateSocket;
  clock?: () => number;
  /**
   * An authenticated connection opened before the run (the probe's pre-flight check): the first
   * client's first connect takes it over instead of opening another, so checking the target costs the
   * gateway no extra connect/disconnect. Closed at the end if no client took it.
   */
  firstSession?: OpenAlgoSession;
  /** Told the live counts every `LIVE_EVERY_MS` while the run lasts (for a progress line). */
  onLive?: (counts: LiveCounts) => void;
}

/** What the run's clients have seen so far. */
export interface LiveCounts {
  connected: number;
  marketData: number;
  /** Failed connects plus error frames. */
  refusals: number;
}

const LIVE_EVERY_MS = 500;

const KEPT_ERRORS = 20;
const OWN_FAILURES: ReadonlySet<string> = new Set(Object.values(SessionFailure));

/**
 * Plays a traffic plan against an OpenAlgo-protocol endpoint: one script per client, each holding at most
 * one connection at a time, all stopped at the plan's duration and their connections closed.
 */
export async function runTraffic(plan: TrafficPlan, options: TrafficRunOptions): Promise<TrafficOutcome> {
  const clock = options.clock ?? Date.now;
  // The other application is there before the first client, as in the incident.
  const held = plan.slotsHeldUntil !== undefined && options.holdSlots ? await options.holdSlots() : undefined;
  const startedAt = clock();
  const deadline = new AbortController();
  // Every client script, its pending sleep and connect, and every drop wait on the one deadline: many
  // listeners is the design here, not a leak (the run's client count is bounded by the CLI).
  setMaxListeners(0, deadline.signal);
  const timer = setTimeout(() => deadline.abort(), plan.durationMs);
  let spare = options.firstSession;
  const takeSpare = (): OpenAlgoSession | undefined => {
    const session = spare;
    spare = undefined;
    return session?.isOpen ? session : undefined;
  };
  const scripts = plan.clients.map((client) => new ClientScript(client, options, startedAt, deadline.signal, takeSpare));
  const drops = plan.brokerDrops.map((at) => runDrop(at, options, startedAt, clock, deadline.signal));
  const onLive = options.onLive;
  const live = onLive ? setInterval(() => onLive(liveCounts(scripts)), LIVE_EVERY_MS) : undefined;
  const hold = runSlotHold(plan, held, startedAt, clock, deadline.signal);
  try {
    const [, brokerDrops, slotHold] = await Promise.all([Promise.all(scripts.map((s) => s.run())), Promise.all(drops), hold]);
    await Promise.all(scripts.map((s) => s.finish()));
    return { startedAt, endedAt: clock(), clients: scripts.map((s) => s.outcome), brokerDrops, ...(slotHold ? { slotHold } : {}) };
  } finally {
    clearTimeout(timer);
    clearInterval(live);
    await Promise.all(scripts.map((s) => s.finish()));
    await takeSpare()?.close();
    await held?.release();
  }
}

async function runSlotHold(
  plan: TrafficPlan,
  held: HeldSlots | undefined,
  startedAt: number,
  clock: () => number,
  signal: AbortSignal,
): Promise<SlotHoldOutcome | undefined> {
  if (plan.slotsHeldUntil === undefined) return undefined;
  if (!held) return { held: 0, detail: 'no way to make another application hold the slots' };
  if (!(await sleepUntil(startedAt + plan.slotsHeldUntil, clock, signal))) return { held: held.held, detail: 'run ended first' };
  await held.release();
  return { held: held.held, releasedAt: clock(), detail: `another application held ${held.held} slot(s), then released them` };
}

async function runDrop(
  at: number,
  options: TrafficRunOptions,
  startedAt: number,
  clock: () => number,
  signal: AbortSignal,
): Promise<BrokerDrop> {
  if (!options.dropBroker) return { at, done: false, detail: 'no way to make the broker drop connections' };
  if (!(await sleepUntil(startedAt + at, clock, signal))) return { at, done: false, detail: 'run ended first' };
  try {
    const result = await options.dropBroker();
    if (!result) return { at, done: true, detail: 'broker dropped every connection' };
    const ended = Object.values(result.affectedByClientCode).reduce((a, b) => a + b, 0);
    return { at, done: true, detail: `broker dropped ${ended} connection(s)`, affectedByClientCode: result.affectedByClientCode };
  } catch (err) {
    return { at, done: false, detail: `drop failed: ${(err as Error).message}` };
  }
}

export function liveCounts(scripts: ClientScript[]): LiveCounts {
  const counts: LiveCounts = { connected: 0, marketData: 0, refusals: 0 };
  for (const script of scripts) {
    const now = script.live();
    counts.connected += now.connected ? 1 : 0;
    counts.marketData += now.marketData;
    counts.refusals += now.refusals;
  }
  return counts;
}

/** Sleeps until `time`; false when the run's deadline came first. */
export async function sleepUntil(time: number, clock: () => number, signal: AbortSignal): Promise<boolean> {
  const wait = time - clock();
  if (signal.aborted) return false;
  if (wait <= 0) return true;
  try {
    await sleep(wait, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

/** One service's client: plays its plan's steps (`run`), or takes them one at a time (`act`). */
export class ClientScript {
  readonly outcome: ClientOutcome;
  private session: OpenAlgoSession | undefined;
  private sessionOpenedAt = 0;
  /** The open session's market_data count when the quiet tail began. */
  private tailMark: { session: OpenAlgoSession | undefined; marketData: number } | undefined;
  private closing: Promise<void> = Promise.resolve();
  private readonly clock: () => number;

  constructor(
    private readonly plan: ClientPlan,
    private readonly options: TrafficRunOptions,
    private readonly startedAt: number,
    private readonly signal: AbortSignal,
    private readonly takeSpare: () => OpenAlgoSession | undefined,
  ) {
    this.clock = options.clock ?? Date.now;
    this.outcome = {
      name: plan.name,
      service: plan.service,
      sessions: 0,
      connectFailures: [],
      marketData: 0,
      finalSessionMarketData: 0,
      finalSessionSubscribed: 0,
      unanswered: 0,
      errors: [],
      errorCounts: {},
      connectedSpans: [],
    };
  }

  async run(): Promise<void> {
    // At the deadline the open connection closes at once, failing whatever request is still in flight.
    this.signal.addEventListener('abort', () => void this.closeSession(false), { once: true });
    for (const step of this.plan.steps) {
      if (!(await sleepUntil(this.startedAt + step.at, this.clock, this.signal))) return;
      await this.perform(step);
    }
    // Hold the last connection open until the end: its data is what the run judges.
    if (!this.signal.aborted) await new Promise((resolve) => this.signal.addEventListener('abort', resolve, { once: true }));
  }

  /** Counts so far, the open connection's included. */
  live(): { connected: boolean; marketData: number; refusals: number } {
    const session = this.session;
    const errorFrames = Object.values(this.outcome.errorCounts).reduce((a, b) => a + b, 0) + (session?.errors.length ?? 0);
    return {
      connected: session?.isOpen ?? false,
      marketData: this.outcome.marketData + (session?.marketData ?? 0),
      refusals: this.outcome.connectFailures.length + errorFrames,
    };
  }

  /** Closes whatever is still open and folds the last connection's counts into the outcome. */
  async finish(): Promise<void> {
    await this.closeSession(false);
  }

  /** The user the endpoint authenticated the open connection as ('' when none is open). */
  get userId(): string {
    return this.session?.userId ?? '';
  }

  /** Whether a connection is open now. */
  get connected(): boolean {
    return this.session?.isOpen ?? false;
  }

  /** From now on the run is quiet: what arrives after this is the client's `quietTailMarketData`. */
  markQuietTail(): void {
    this.tailMark = { session: this.session, marketData: this.session?.marketData ?? 0 };
  }

  /** Takes one step now; a connect may hold its authenticate with `beforeAuthenticate`. */
  act(step: ClientStep, beforeAuthenticate?: () => Promise<void>): Promise<void> {
    return step.kind === 'connect' ? this.connect(beforeAuthenticate) : this.perform(step);
  }

  private async perform(step: ClientStep): Promise<void> {
    if (step.kind === 'connect') return this.connect();
    if (step.kind === 'disconnect') return this.closeSession(step.abrupt);
    const session = this.session;
    if (!session?.isOpen) return;
    try {
      if (step.kind === 'subscribe') {
        const replies = await session.subscribe(step.batches, step.mode);
        for (const reply of replies) {
          this.outcome.finalSessionSubscribed += (reply.subscriptions ?? []).filter((s) => s.status === 'success').length;
        }
      } else {
        await session.unsubscribe(step.symbols, step.mode);
      }
    } catch (err) {
      this.noteFailure(err);
    }
  }

  private async connect(beforeAuthenticate?: () => Promise<void>): Promise<void> {
    await this.closeSession(false);
    // A failed reconnect leaves the service with no data at all, whatever the previous connection got.
    this.outcome.finalSessionMarketData = 0;
    this.outcome.finalSessionSubscribed = 0;
    // The gateway knows a client from its TCP connect, before authentication answers.
    this.sessionOpenedAt = this.clock();
    try {
      this.session =
        this.takeSpare() ??
        (await OpenAlgoSession.open(this.options.url, {
          apiKey: this.options.apiKey,
          replyTimeoutMs: this.options.replyTimeoutMs ?? 5000,
          createSocket: this.options.createSocket,
          clock: this.clock,
          signal: this.signal,
          ...(beforeAuthenticate ? { beforeAuthenticate } : {}),
        }));
      this.outcome.sessions += 1;
      if (this.signal.aborted) await this.closeSession(false);
    } catch (err) {
      if (this.signal.aborted) return;
      this.outcome.connectFailures.push(err instanceof SessionError ? `${err.code}: ${err.message}` : String(err));
      // A refusal frame (AUTHENTICATION_ERROR, BROKER_ERROR…) counts like any other error frame.
      if (err instanceof SessionError && !OWN_FAILURES.has(err.code)) this.recordErrorCode(err.code);
    }
  }

  /** Closes the open connection, if any; resolves once the last close has been folded into the outcome. */
  private closeSession(abrupt: boolean): Promise<void> {
    const session = this.session;
    if (!session) return this.closing;
    this.session = undefined;
    const from = this.sessionOpenedAt;
    this.closing = session.close(abrupt).then(() => {
      this.outcome.connectedSpans.push({ from, to: this.clock() });
      this.outcome.marketData += session.marketData;
      this.outcome.finalSessionMarketData = session.marketData;
      if (this.tailMark) {
        const since = this.tailMark.session === session ? this.tailMark.marketData : 0;
        this.outcome.quietTailMarketData = session.marketData - since;
      }
      for (const error of session.errors) {
        this.recordErrorCode(error.code);
        if (this.outcome.errors.length < KEPT_ERRORS) this.outcome.errors.push(error);
      }
    });
    return this.closing;
  }

  private noteFailure(err: unknown): void {
    if (this.signal.aborted) return;
    // Error frames are already in the session's own record; only silence and lost connections are new here.
    if (!(err instanceof SessionError) || OWN_FAILURES.has(err.code)) this.outcome.unanswered += 1;
  }

  private recordErrorCode(code: string): void {
    this.outcome.errorCounts[code] = (this.outcome.errorCounts[code] ?? 0) + 1;
  }
}
