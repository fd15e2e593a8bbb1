import type { Logger } from 'pino';
import type { Timer } from '../clock.ts';
import { LogEvent, LogMessage } from '../logger.ts';
import type { BrokerName } from '../openalgo/protocol.ts';
import type { AdapterDeps, UpstreamAdapter } from '../registry/registry.ts';
import { Action, HEARTBEAT, TickDecodeError, decodeTick, type SmartApiRequest } from '../smartapi/index.ts';
import type { AdapterState } from './lifecycle.ts';
import type { UserRecord } from '../users.ts';
import { buildRequests, UpstreamSubscriptions, type UpstreamKey } from './upstream-key.ts';
import { dialUpstream, type DialOutcome, type UpstreamSocket } from './upstream-socket.ts';

/** Knobs of the legacy reproduction. Delays are short so a demo shows the storm within seconds. */
export interface LegacyTuning {
  /** The adapter layer's pause before nested retry n is `adapterRetryDelayMs * n`. */
  adapterRetryDelayMs: number;
  /** The SDK layer's own retries per failed dial, each after `sdkRetryDelayMs`. */
  sdkRetries: number;
  sdkRetryDelayMs: number;
  /**
   * Safety cap, not part of the bug: an adapter stops dialling after this many attempts in total. The
   * real code has no such bound; without one the nested loops below grow without limit and would melt
   * the machine running the demo.
   */
  maxAttemptsPerAdapter: number;
}

export const DEFAULT_LEGACY_TUNING: LegacyTuning = {
  adapterRetryDelayMs: 200,
  sdkRetries: 1,
  sdkRetryDelayMs: 100,
  maxAttemptsPerAdapter: 300,
};

/**
 * A faithful model of OpenAlgo's 2025-11 Angel adapter and the SmartAPI SDK under it (SPEC §6, legacy):
 *
 * (2) `disconnect()` closes the current socket but cancels nothing: retries already scheduled still dial,
 *     and a socket they open is held (a zombie) until the process ends.
 * (3) Two retry layers with no shared budget: every failed dial is retried by the SDK (`sdkRetries`) and,
 *     independently, by the adapter's error callback.
 * (4) The adapter's retries nest inside the error callback and share one counter that is never reset,
 *     not even by a successful connect. Once it is spent, every nesting level starts a new connect loop at
 *     attempt 1 with no delay, and each of those fails into the same spent counter, so the loops multiply:
 *     hundreds of `Connecting to Angel WebSocket (attempt 1)` per second while the broker answers 429.
 *
 * Only ticks from the newest socket reach clients; older ones hold broker slots and deliver nothing.
 */
export class LegacyAngelAdapter implements UpstreamAdapter {
  readonly broker: BrokerName;
  private reconnectAttempts = 0;
  private totalAttempts = 0;
  private capLogged = false;
  private destroyed = false;
  private current: UpstreamSocket | undefined;
  private readonly openSockets = new Set<UpstreamSocket>();
  private readonly dialling = new Set<UpstreamSocket>();
  private readonly timers = new Set<Timer>();
  private readonly subscribed = new UpstreamSubscriptions();
  private firstDial: (() => void) | undefined;
  private readonly log: Logger;

  constructor(
    readonly user: UserRecord,
    private readonly deps: AdapterDeps,
    private readonly tuning: LegacyTuning,
  ) {
    this.broker = user.broker;
    this.log = deps.logger.child({ user: user.userId, broker: user.broker });
  }

  get state(): AdapterState {
    if (this.current && this.openSockets.has(this.current)) return 'open';
    if (this.dialling.size > 0) return 'connecting';
    if (this.timers.size > 0) return 'backoff';
    if (this.openSockets.size > 0) return 'open';
    return this.totalAttempts > 0 ? 'failed' : 'idle';
  }

  /** OpenAlgo's `connect()`: starts the first dial and returns once it has succeeded or failed. */
  connect(): Promise<void> {
    return new Promise((resolve) => {
      this.firstDial = resolve;
      this.adapterConnect(1, 0);
    });
  }

  /** OpenAlgo's `disconnect()`: closes the current socket only (mechanism 2). */
  disconnect(): void {
    const socket = this.current;
    this.current = undefined;
    socket?.close();
  }

  /** Gateway shutdown: ends everything, zombies included. Not something the legacy code ever did. */
  destroy(): void {
    this.destroyed = true;
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
    this.current = undefined;
    for (const socket of [...this.openSockets, ...this.dialling]) socket.terminate();
  }

  subscribe(keys: UpstreamKey[]): void {
    const added = this.subscribed.add(keys);
    if (added.length > 0) this.send(buildRequests(Action.subscribe, added));
  }

  unsubscribe(keys: UpstreamKey[]): void {
    const removed = this.subscribed.remove(keys);
    if (removed.length > 0) this.send(buildRequests(Action.unsubscribe, removed));
  }

  remainingCapacity(): number {
    return this.deps.maxTokens - this.subscribed.size;
  }

  upstreamConnections(): number {
    return this.openSockets.size;
  }

  subscriptionCount(): number {
    return this.subscribed.size;
  }

  /** The adapter layer: logs the attempt, then hands the dial to the SDK layer. */
  private adapterConnect(attempt: number, depth: number): void {
    if (this.capReached()) return;
    this.log.info({ event: LogEvent.upstreamConnect, attempt }, LogMessage.upstreamConnect(attempt));
    this.sdkConnect(depth, this.tuning.sdkRetries);
  }

  /** The SDK layer: one dial, plus its own retries that the adapter knows nothing about (mechanism 3). */
  private sdkConnect(depth: number, sdkRetriesLeft: number): void {
    if (this.capReached()) return;
    this.totalAttempts += 1;
    this.deps.metrics.upstreamAttempts.inc();
    const socket = dialUpstream(this.deps.WebSocket, this.deps.brokerUrl, this.user, {
      onOpen: () => {
        this.dialling.delete(socket);
        this.openSockets.add(socket);
        this.current = socket;
        this.log.info({ event: LogEvent.upstreamOpen }, LogMessage.upstreamOpen);
        if (this.subscribed.size > 0) this.send(buildRequests(Action.subscribe, this.subscribed.values()));
        this.settleFirstDial();
      },
      onMessage: (data, isBinary) => this.onMessage(socket, data, isBinary),
      onClosed: (outcome) => this.onClosed(socket, outcome, depth, sdkRetriesLeft),
    });
    this.dialling.add(socket);
  }

  private onClosed(socket: UpstreamSocket, outcome: DialOutcome, depth: number, sdkRetriesLeft: number): void {
    this.dialling.delete(socket);
    this.openSockets.delete(socket);
    if (outcome.opened) {
      this.log.info({ event: LogEvent.upstreamClose }, LogMessage.upstreamClose);
      // Only the adapter's live socket reconnects on close; a socket closed by disconnect() is not current.
      if (socket === this.current) {
        this.current = undefined;
        this.onError(depth);
      }
      return;
    }
    if (outcome.status !== undefined) {
      this.deps.metrics.upstreamRejections.inc({ status: String(outcome.status) });
      this.log.error({ event: LogEvent.upstreamRejected, status: outcome.status, reason: outcome.reason }, LogMessage.upstreamRejected(outcome.status, outcome.reason));
    } else {
      this.log.error({ event: LogEvent.upstreamError, reason: outcome.reason }, LogMessage.upstreamError(outcome.reason ?? 'connection failed'));
    }
    this.settleFirstDial();
    if (sdkRetriesLeft > 0) this.schedule(this.tuning.sdkRetryDelayMs, () => this.sdkConnect(depth, sdkRetriesLeft - 1));
    this.onError(depth);
  }

  /** The adapter's error callback (mechanism 4). */
  private onError(depth: number): void {
    if (this.reconnectAttempts < this.deps.maxReconnect) {
      this.reconnectAttempts += 1;
      const attempt = this.reconnectAttempts;
      this.schedule(this.tuning.adapterRetryDelayMs * attempt, () => this.adapterConnect(attempt, depth + 1));
      return;
    }
    this.log.error({ event: LogEvent.upstreamExhausted, attempts: this.reconnectAttempts }, LogMessage.upstreamExhausted);
    for (let level = 0; level <= depth; level++) this.adapterConnect(1, level);
  }

  private onMessage(socket: UpstreamSocket, data: Buffer, isBinary: boolean): void {
    if (socket !== this.current) return;
    if (!isBinary) {
      const text = data.toString('utf8');
      if (text !== HEARTBEAT.pong) this.log.warn({ event: LogEvent.upstreamRequestError, reply: text.slice(0, 500) }, `Angel WebSocket request error: ${text.slice(0, 200)}`);
      return;
    }
    this.deps.metrics.ticksReceived.inc();
    try {
      this.deps.listener.onTick(this, decodeTick(data));
    } catch (err) {
      if (!(err instanceof TickDecodeError)) throw err;
      this.deps.metrics.badTicks.inc();
    }
  }

  private send(requests: SmartApiRequest[]): void {
    const socket = this.current;
    if (!socket || !this.openSockets.has(socket)) return;
    for (const request of requests) socket.send(JSON.stringify(request));
  }

  private schedule(ms: number, fn: () => void): void {
    if (this.destroyed) return;
    const timer = this.deps.clock.after(ms, () => {
      this.timers.delete(timer);
      fn();
    });
    this.timers.add(timer);
  }

  private settleFirstDial(): void {
    const settle = this.firstDial;
    this.firstDial = undefined;
    settle?.();
  }

  private capReached(): boolean {
    if (this.destroyed) return true;
    if (this.totalAttempts < this.tuning.maxAttemptsPerAdapter) return false;
    if (!this.capLogged) {
      this.capLogged = true;
      this.log.warn(
        { event: LogEvent.legacyCap, attempts: this.totalAttempts },
        `Legacy reproduction cap: this adapter made ${this.totalAttempts} connection attempts; stopping its retries`,
      );
    }
    return true;
  }
}
