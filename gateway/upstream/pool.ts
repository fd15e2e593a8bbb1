import type { Logger } from 'pino';
import type { Timer } from '../clock.ts';
import { BrokerState, type BrokerName } from '../../protocol/openalgo/index.ts';
import type { UserRecord } from '../users.ts';
import { AngelAdapter } from './adapter.ts';
import type { AdapterDeps, BrokerStatusUpdate, PoolHealth, TokenBudget, UpstreamAdapter } from './adapter-contract.ts';
import type { AdapterState } from './lifecycle.ts';
import { upstreamKeyId, type UpstreamKey } from './upstream-key.ts';

/** What a pool needs beyond one adapter's dependencies. */
export interface PoolDeps extends AdapterDeps {
  /** `--max-upstream`: connections the pool may hold at once, closing ones included. */
  maxUpstream: number;
  /** An extra connection whose last key went is closed after this long (0: kept until the pool closes). */
  lingerMs: number;
}

/** `event` of the pool's own log lines. */
export const PoolLogEvent = { grow: 'upstream.pool.grow', shrink: 'upstream.pool.shrink', refused: 'upstream.pool.refused' } as const;

interface Connection {
  /** 0 for the first connection, which carries the user's state; extra connections follow demand. */
  readonly index: number;
  readonly adapter: AngelAdapter;
  readonly keys: Map<string, UpstreamKey>;
  linger: Timer | undefined;
  /** Being closed: it still counts against the budget until its socket is gone. */
  closing: boolean;
}

/**
 * A user's upstream as at most `maxUpstream` AngelOne connections of at most `maxTokens` keys each
 * (docs/gateway.md#upstream-pool). The first connection is the user's upstream as before: its state is the
 * pool's, its failure is every client's. An extra connection is reserved (counted against the budget) in
 * the same synchronous step that needs it, so two subscribes can never open two; it dials only once the
 * first is open. When the broker refuses an extra connection the pool stops growing: that connection
 * retries after its back-off (or `Retry-After`) only while it still carries keys, and the clients of
 * those keys alone hear `subscription_status`. An extra connection whose last key went is closed after
 * the linger; its slot is free once its socket is gone.
 */
export class UpstreamPool implements UpstreamAdapter {
  readonly broker: BrokerName;
  readonly tokenBudget: TokenBudget;
  private readonly connections: Connection[] = [];
  private readonly assigned = new Map<string, Connection>();
  /** Keys accepted while every slot was taken by a closing connection: placed once its socket is gone. */
  private readonly queued = new Map<string, UpstreamKey>();
  private wanted = false;
  private closed = false;
  private readonly log: Logger;

  constructor(
    readonly user: UserRecord,
    private readonly deps: PoolDeps,
  ) {
    this.broker = user.broker;
    this.log = deps.logger.child({ user: user.userId, broker: user.broker });
    this.tokenBudget = { connections: Math.max(1, deps.maxUpstream), tokensPerConnection: deps.maxTokens };
    this.connections.push(this.connection(0));
  }

  private get primary(): Connection {
    return this.connections[0]!;
  }

  get state(): AdapterState {
    return this.primary.adapter.state;
  }

  /** As AngelAdapter.start, for the first connection; extra connections with keys follow once it is open. */
  start(): Promise<void> {
    this.wanted = true;
    const ready = this.primary.adapter.start();
    this.startExtras();
    return ready;
  }

  pause(): void {
    this.wanted = false;
    for (const c of this.connections) c.adapter.pause();
  }

  subscribe(keys: UpstreamKey[]): void {
    const added = new Map<Connection, UpstreamKey[]>();
    for (const key of keys) {
      const id = upstreamKeyId(key.exchangeType, key.token, key.mode);
      if (this.assigned.has(id) || this.queued.has(id)) continue;
      const connection = this.roomFor();
      if (!connection) {
        this.queued.set(id, key);
        continue;
      }
      this.place(connection, id, key, added);
    }
    this.send(added);
  }

  unsubscribe(keys: UpstreamKey[]): void {
    const removed = new Map<Connection, UpstreamKey[]>();
    for (const key of keys) {
      const id = upstreamKeyId(key.exchangeType, key.token, key.mode);
      if (this.queued.delete(id)) continue;
      const connection = this.assigned.get(id);
      if (!connection) continue;
      this.assigned.delete(id);
      connection.keys.delete(id);
      removed.set(connection, [...(removed.get(connection) ?? []), key]);
    }
    for (const [connection, gone] of removed) {
      connection.adapter.unsubscribe(gone);
      if (connection.keys.size > 0 || connection.index === 0) continue;
      // Nobody needs it: a refused one is not retried, an open one lingers.
      connection.adapter.pause();
      this.armLinger(connection);
    }
    this.placeQueued();
  }

  remainingCapacity(): number {
    return this.tokenBudget.connections * this.deps.maxTokens - this.assigned.size - this.queued.size;
  }

  carries(key: UpstreamKey): boolean {
    const id = upstreamKeyId(key.exchangeType, key.token, key.mode);
    return this.assigned.has(id) || this.queued.has(id);
  }

  upstreamConnections(): number {
    return this.connections.reduce((n, c) => n + c.adapter.upstreamConnections(), 0);
  }

  subscriptionCount(): number {
    return this.assigned.size + this.queued.size;
  }

  waitingReason(key: UpstreamKey): string | undefined {
    const id = upstreamKeyId(key.exchangeType, key.token, key.mode);
    if (this.queued.has(id)) return `Waiting for a free upstream connection (all ${this.tokenBudget.connections} of --max-upstream are in use or closing)`;
    const connection = this.assigned.get(id);
    if (!connection || connection.index === 0 || connection.adapter.state === 'open') return undefined;
    return this.extraWaiting(connection);
  }

  health(): PoolHealth {
    return {
      maxUpstream: this.tokenBudget.connections,
      tokens: this.connections.map((c) => c.keys.size),
      open: this.connections.filter((c) => c.adapter.upstreamConnections() > 0).length,
      waiting: this.queued.size + this.connections.reduce((n, c) => n + (c.index > 0 && c.adapter.state !== 'open' ? c.keys.size : 0), 0),
    };
  }

  /** Closes every connection; resolves once every socket is gone, so the broker's slots are free. */
  async close(): Promise<void> {
    this.closed = true;
    this.wanted = false;
    for (const c of this.connections) c.linger?.cancel();
    await Promise.all(this.connections.map((c) => c.adapter.close()));
  }

  /** Destroys every socket at once (a close that overran its deadline). */
  terminate(): void {
    for (const c of this.connections) c.adapter.terminate();
  }

  private connection(index: number): Connection {
    let connection: Connection | undefined;
    const adapter = new AngelAdapter(this.user, {
      ...this.deps,
      listener: {
        onTick: (_adapter, tick, frame) => this.deps.listener.onTick(this, tick, frame),
        onStatus: (_adapter, status) => (index === 0 ? this.primaryStatus(status) : this.extraStatus(connection!, status)),
        onFailed: (_adapter, message) => {
          if (index === 0) this.deps.listener.onFailed(this, message);
        },
      },
    });
    connection = { index, adapter, keys: new Map(), linger: undefined, closing: false };
    return connection;
  }

  /** The first connection with room; else a new one, reserved now, while the budget allows and no extra one is refused. */
  private roomFor(): Connection | undefined {
    const open = this.connections.find((c) => !c.closing && c.keys.size < this.deps.maxTokens);
    if (open) return open;
    if (this.closed || this.connections.length >= this.tokenBudget.connections || this.refusedExtra()) return undefined;
    const previous = this.connections[this.connections.length - 1]!;
    const connection = this.connection(this.connections.length);
    this.connections.push(connection);
    const n = connection.index + 1;
    this.log.info(
      { event: PoolLogEvent.grow, connection: n, maxUpstream: this.tokenBudget.connections },
      `[POOL] Creating NEW connection ${n}/${this.tokenBudget.connections} for angel (previous connection full: ${previous.keys.size}/${this.deps.maxTokens} symbols, total subscribed: ${this.assigned.size})`,
    );
    return connection;
  }

  /** An extra connection the broker refused (or that gave up): the pool does not grow past it. */
  private refusedExtra(): boolean {
    return this.connections.some((c) => c.index > 0 && (c.adapter.state === 'backoff' || c.adapter.state === 'failed'));
  }

  private place(connection: Connection, id: string, key: UpstreamKey, added: Map<Connection, UpstreamKey[]>): void {
    connection.keys.set(id, key);
    this.assigned.set(id, connection);
    connection.linger?.cancel();
    connection.linger = undefined;
    added.set(connection, [...(added.get(connection) ?? []), key]);
  }

  private send(added: Map<Connection, UpstreamKey[]>): void {
    for (const [connection, keys] of added) {
      connection.adapter.subscribe(keys);
      // An open extra connection that was idle-lingering is wanted again (a lost socket reconnects).
      if (connection.index > 0 && this.wanted && connection.adapter.state === 'open') connection.adapter.start().catch(() => undefined);
    }
    if (added.size > 0) this.startExtras();
  }

  /**
   * Extra connections dial only while someone wants data, one at a time, each once every connection
   * before it is open: a refusal stops the growth before the next one tries.
   */
  private startExtras(): void {
    if (!this.wanted || this.closed) return;
    for (const c of this.connections) {
      const state = c.adapter.state;
      if (c.index > 0 && !c.closing && c.keys.size > 0 && (state === 'idle' || state === 'failed')) {
        c.adapter.start().catch(() => undefined);
        return;
      }
      if (state !== 'open') return;
    }
  }

  private placeQueued(): void {
    if (this.queued.size === 0) return;
    const added = new Map<Connection, UpstreamKey[]>();
    for (const [id, key] of this.queued) {
      const connection = this.roomFor();
      if (!connection) break;
      this.queued.delete(id);
      this.place(connection, id, key, added);
    }
    this.send(added);
  }

  private armLinger(connection: Connection): void {
    if (this.deps.lingerMs <= 0 || connection.linger || connection.closing) return;
    connection.linger = this.deps.clock.after(this.deps.lingerMs, () => {
      connection.linger = undefined;
      if (connection.keys.size > 0 || connection.closing) return;
      this.retire(connection);
    });
  }

  /** Closes an empty extra connection; its slot is given back only once its socket is gone. */
  private retire(connection: Connection): void {
    connection.closing = true;
    this.log.info(
      { event: PoolLogEvent.shrink, connection: connection.index + 1 },
      `[POOL] Closing connection ${connection.index + 1}/${this.tokenBudget.connections}: its last symbol was unsubscribed`,
    );
    void connection.adapter.close().then(() => {
      const at = this.connections.indexOf(connection);
      if (at > 0) this.connections.splice(at, 1);
      this.placeQueued();
    });
  }

  private primaryStatus(status: BrokerStatusUpdate): void {
    this.deps.listener.onStatus(this, status);
    if (status.state === BrokerState.open) this.startExtras();
  }

  private extraStatus(connection: Connection, status: BrokerStatusUpdate): void {
    if (connection.closing) return;
    const keys = [...connection.keys.values()];
    if (status.state === BrokerState.open) {
      this.deps.listener.onKeysStatus?.(this, keys, { state: BrokerState.open, message: `Upstream connection ${connection.index + 1} is open` });
      this.startExtras();
      return;
    }
    if (status.state !== BrokerState.refusedRetrying && status.state !== BrokerState.failed) return;
    if (status.http_status === 429) {
      this.log.warn(
        { event: PoolLogEvent.refused, connection: connection.index + 1, retryInMs: status.retry_in_ms, waiting: keys.length },
        `Upstream connection ${connection.index + 1} refused with 429; the pool stops growing and ${keys.length} symbols wait for it`,
      );
    }
    if (keys.length === 0) {
      connection.adapter.pause();
      return;
    }
    this.deps.listener.onKeysStatus?.(this, keys, { ...status, message: this.extraWaiting(connection) });
  }

  private extraWaiting(connection: Connection): string {
    const n = `upstream connection ${connection.index + 1} of ${this.tokenBudget.connections}`;
    const state = connection.adapter.state;
    if (state === 'failed') return `Waiting for ${n}: it could not connect; subscribe again to retry`;
    if (state === 'backoff') return `Waiting for ${n}: the broker refused it; retried after its back-off while these symbols are wanted`;
    return `Waiting for ${n} to open`;
  }
}
