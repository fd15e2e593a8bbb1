import type { Logger } from 'pino';
import { LogEvent, LogMessage } from '../logger.ts';
import { BrokerState, type BrokerName } from '../../protocol/openalgo/index.ts';
import type { AdapterDeps, UpstreamAdapter } from './adapter-contract.ts';
import { BrokerUnavailableError } from './adapter-contract.ts';
import { Action, HEARTBEAT, type SmartApiRequest } from '../../protocol/smartapi/index.ts';
import type { Timer } from '../clock.ts';
import type { AdapterState } from './lifecycle.ts';
import type { UserRecord } from '../users.ts';
import { backoffDelay } from './backoff.ts';
import { INITIAL_LIFECYCLE, transition, type Lifecycle, type LifecycleEvent, type LifecyclePolicy } from './lifecycle.ts';
import { buildRequests, UpstreamSubscriptions, type UpstreamKey } from './upstream-key.ts';
import { dialUpstream, type DialOutcome, type UpstreamSocket } from './upstream-socket.ts';
import { deliverTick } from './tick-delivery.ts';

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
}

/**
 * The fixed AngelOne adapter: at most one upstream socket at any time, reconnected in place, with the
 * lifecycle of `lifecycle.ts`. Every socket callback first checks that it still belongs to the current
 * socket, so a late event from an old socket can never start a second retry chain.
 */
export class AngelAdapter implements UpstreamAdapter {
  readonly broker: BrokerName;
  private lifecycle: Lifecycle = INITIAL_LIFECYCLE;
  private socket: UpstreamSocket | undefined;
  private socketOpen = false;
  private retryTimer: Timer | undefined;
  private heartbeatTimer: Timer | undefined;
  private lastHeardAt = 0;
  /** Whether any client wants data; without demand a cycle that has not opened stops (no dialling for nobody). */
  private wanted = false;
  /** HTTP status of the last refused handshake, reported in `broker_status`. */
  private lastRefusal: number | undefined;
  /** When the broker last answered 429: no handshake comes sooner than the rate-limited floor after it. */
  private rateLimitedAt = Number.NEGATIVE_INFINITY;
  private readonly subscribed = new UpstreamSubscriptions();
  private waiters: Waiter[] = [];
  private closeWaiters: (() => void)[] = [];
  private readonly log: Logger;
  private readonly policy: LifecyclePolicy;

  constructor(
    readonly user: UserRecord,
    private readonly deps: AdapterDeps,
  ) {
    this.broker = user.broker;
    this.log = deps.logger.child({ user: user.userId, broker: user.broker });
    this.policy = {
      maxAttempts: Math.max(1, deps.maxReconnect),
      delay: (attempt, rateLimited) => backoffDelay(deps.backoff, attempt, rateLimited, deps.random),
    };
  }

  get state(): AdapterState {
    return this.lifecycle.kind;
  }

  /**
   * Begins a connect cycle unless one is running (single-flight) and resolves when the upstream is open;
   * rejects with BrokerUnavailableError when the cycle fails or the adapter is closed.
   */
  start(): Promise<void> {
    this.wanted = true;
    this.apply({ type: 'start' });
    return this.ready();
  }

  /**
   * The last client left. An open upstream stays (the registry's linger decides when it goes); a retry
   * waiting in backoff is cancelled, and an attempt in flight is let finish, then not followed up.
   */
  pause(): void {
    this.wanted = false;
    if (this.lifecycle.kind === 'backoff' || (this.lifecycle.kind === 'connecting' && !this.socket)) this.apply({ type: 'pause' });
  }

  private ready(): Promise<void> {
    const { kind } = this.lifecycle;
    if (kind === 'open') return Promise.resolve();
    if (kind === 'failed' || kind === 'closed') return Promise.reject(this.unavailable());
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  subscribe(keys: UpstreamKey[]): void {
    const added = this.subscribed.add(keys);
    if (added.length > 0) this.sendRequests(buildRequests(Action.subscribe, added));
  }

  unsubscribe(keys: UpstreamKey[]): void {
    const removed = this.subscribed.remove(keys);
    if (removed.length > 0) this.sendRequests(buildRequests(Action.unsubscribe, removed));
  }

  remainingCapacity(): number {
    return this.deps.maxTokens - this.subscribed.size;
  }

  carries(key: UpstreamKey): boolean {
    return this.subscribed.has(key);
  }

  upstreamConnections(): number {
    return this.socketOpen ? 1 : 0;
  }

  subscriptionCount(): number {
    return this.subscribed.size;
  }

  /** Closes the upstream for good; resolves once the socket is gone, so the broker's slot is free. */
  close(): Promise<void> {
    if (this.lifecycle.kind === 'closed' && !this.socket) return Promise.resolve();
    const gone = new Promise<void>((resolve) => this.closeWaiters.push(resolve));
    this.apply({ type: 'close' });
    return gone;
  }

  /** Destroys the socket without a close handshake (a close that overran its deadline). */
  terminate(): void {
    this.socket?.terminate();
  }

  private apply(event: LifecycleEvent): void {
    const previous = this.lifecycle;
    const next = transition(previous, event, this.policy);
    if (next === previous) return;
    this.lifecycle = next;
    this.enter(next);
  }

  private enter(state: Lifecycle): void {
    switch (state.kind) {
      case 'idle':
        this.retryTimer?.cancel();
        this.retryTimer = undefined;
        this.log.info({ event: LogEvent.upstreamPause }, 'No client wants data; not reconnecting to Angel WebSocket until one does');
        this.settleWaiters();
        return;
      case 'connecting': {
        this.deps.listener.onStatus(this, { state: BrokerState.connecting });
        // A client returning right after a 429 must not cut the rate-limited wait short: two refusals
        // under a second apart are what a storm looks like to the broker (docs/rules.md#refusals).
        const wait = this.rateLimitedAt + this.deps.backoff.rateLimitedMinMs - this.deps.clock.now();
        if (wait <= 0) this.dial(state.attempt);
        else {
          this.retryTimer = this.deps.clock.after(wait, () => {
            this.retryTimer = undefined;
            if (this.lifecycle === state) this.dial(state.attempt);
          });
        }
        return;
      }
      case 'open':
        this.lastRefusal = undefined;
        this.deps.listener.onStatus(this, { state: BrokerState.open });
        this.settleWaiters();
        return;
      case 'backoff':
        this.deps.listener.onStatus(this, {
          state: BrokerState.refusedRetrying,
          retry_in_ms: state.delayMs,
          ...(this.lastRefusal === undefined ? {} : { http_status: this.lastRefusal }),
        });
        this.log.info(
          { event: LogEvent.upstreamBackoff, attempt: state.attempt, delayMs: state.delayMs, rateLimited: state.rateLimited },
          `Reconnecting to Angel WebSocket in ${state.delayMs} ms`,
        );
        this.retryTimer = this.deps.clock.after(state.delayMs, () => {
          this.retryTimer = undefined;
          this.apply({ type: 'retry' });
        });
        return;
      case 'failed':
        this.log.error({ event: LogEvent.upstreamExhausted, attempts: state.attempts }, LogMessage.upstreamExhausted);
        this.settleWaiters();
        this.deps.listener.onStatus(this, { state: BrokerState.failed, message: this.unavailable().message });
        this.deps.listener.onFailed(this, this.unavailable().message);
        return;
      case 'closed':
        this.retryTimer?.cancel();
        this.heartbeatTimer?.cancel();
        this.settleWaiters();
        if (this.socket) this.socket.close();
        else this.resolveCloseWaiters();
        return;
    }
  }

  private dial(attempt: number): void {
    const clients = this.deps.clientsOf?.(this.user);
    this.log.info({ event: LogEvent.upstreamConnect, attempt, ...(clients !== undefined && { clients }) }, LogMessage.upstreamConnect(attempt, clients));
    this.deps.metrics.upstreamAttempts.inc();
    const socket = dialUpstream(this.deps.WebSocket, this.deps.brokerUrl, this.user, {
      onOpen: () => this.onSocketOpen(socket),
      onMessage: (data, isBinary) => this.onSocketMessage(socket, data, isBinary),
      onClosed: (outcome) => this.onSocketClosed(socket, outcome),
    });
    this.socket = socket;
  }

  private onSocketOpen(socket: UpstreamSocket): void {
    if (socket !== this.socket) return;
    this.socketOpen = true;
    this.lastHeardAt = this.deps.clock.now();
    this.log.info({ event: LogEvent.upstreamOpen }, LogMessage.upstreamOpen);
    if (this.lifecycle.kind === 'closed') {
      socket.close();
      return;
    }
    // Replay before anyone else can send, so a reconnect restores every client's data.
    if (this.subscribed.size > 0) this.sendRequests(buildRequests(Action.subscribe, this.subscribed.values()));
    this.armHeartbeat();
    this.apply({ type: 'opened' });
  }

  private onSocketMessage(socket: UpstreamSocket, data: Buffer, isBinary: boolean): void {
    if (socket !== this.socket) return;
    this.lastHeardAt = this.deps.clock.now();
    if (isBinary) {
      deliverTick(this, data, this.deps);
      return;
    }
    const text = data.toString('utf8');
    if (text === HEARTBEAT.pong) return;
    this.log.warn({ event: LogEvent.upstreamRequestError, reply: text.slice(0, 500) }, `Angel WebSocket request error: ${text.slice(0, 200)}`);
  }

  private onSocketClosed(socket: UpstreamSocket, outcome: DialOutcome): void {
    if (socket !== this.socket) return;
    this.socket = undefined;
    this.socketOpen = false;
    this.heartbeatTimer?.cancel();
    this.heartbeatTimer = undefined;
    this.lastRefusal = outcome.opened ? undefined : outcome.status;
    if (outcome.opened) {
      this.log.info({ event: LogEvent.upstreamClose }, LogMessage.upstreamClose);
    } else if (outcome.status !== undefined) {
      if (outcome.status === 429) this.rateLimitedAt = this.deps.clock.now();
      this.deps.metrics.upstreamRejections.inc({ status: String(outcome.status) });
      this.log.error(
        { event: LogEvent.upstreamRejected, status: outcome.status, reason: outcome.reason },
        LogMessage.upstreamRejected(outcome.status, outcome.reason),
      );
    } else {
      this.log.error({ event: LogEvent.upstreamError, reason: outcome.reason }, LogMessage.upstreamError(outcome.reason ?? 'connection failed'));
    }
    if (this.lifecycle.kind === 'closed') {
      this.resolveCloseWaiters();
      return;
    }
    this.apply(
      this.wanted
        ? { type: 'lost', rateLimited: outcome.status === 429, ...(outcome.retryAfterMs !== undefined && { retryAfterMs: outcome.retryAfterMs }) }
        : { type: 'pause' },
    );
  }

  private armHeartbeat(): void {
    this.heartbeatTimer = this.deps.clock.after(this.deps.heartbeat.pingMs, () => {
      const socket = this.socket;
      if (!socket || !this.socketOpen) return;
      const silentMs = this.deps.clock.now() - this.lastHeardAt;
      if (silentMs >= this.deps.heartbeat.deadMs) {
        this.log.warn({ event: LogEvent.upstreamDead, silentMs }, `No data or pong from Angel WebSocket for ${silentMs} ms; reconnecting`);
        socket.terminate();
        return;
      }
      socket.send(HEARTBEAT.ping);
      this.armHeartbeat();
    });
  }

  private sendRequests(requests: SmartApiRequest[]): void {
    if (!this.socket || !this.socketOpen) return;
    for (const request of requests) {
      const tokens = request.params.tokenList.reduce((n, entry) => n + entry.tokens.length, 0);
      this.log.debug({ event: LogEvent.upstreamSubscribe, action: request.action, mode: request.params.mode, tokens }, 'Angel WebSocket request');
      this.socket.send(JSON.stringify(request));
    }
  }

  private settleWaiters(): void {
    const waiters = this.waiters;
    this.waiters = [];
    const open = this.lifecycle.kind === 'open';
    for (const waiter of waiters) {
      if (open) waiter.resolve();
      else waiter.reject(this.unavailable());
    }
  }

  private resolveCloseWaiters(): void {
    const waiters = this.closeWaiters;
    this.closeWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private unavailable(): BrokerUnavailableError {
    return this.lifecycle.kind === 'closed'
      ? new BrokerUnavailableError('The angel adapter was closed (logout); authenticate again')
      : new BrokerUnavailableError(
          `Could not connect to Angel WebSocket after ${this.policy.maxAttempts} attempts; authenticate again to retry`,
        );
  }
}
