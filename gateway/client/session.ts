import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import type WebSocket from 'ws';
import type { Clock, Timer } from '../clock.ts';
import type { InstrumentMaster } from '../instruments.ts';
import { LogEvent } from '../logger.ts';
import type { GatewayMetrics } from '../metrics.ts';
import {
  ErrorCode,
  GatewayCloseCode,
  Messages,
  ServerMessageType,
  SUPPORTED_BROKERS,
  type AuthSuccessMessage,
  type BrokerInfoMessage,
  type BrokerStatusMessage,
  type ErrorCodeValue,
  type ErrorMessage,
  type PongMessage,
  type SubscribeResponse,
  type SupportedBrokersMessage,
} from '../../protocol/openalgo/index.ts';
import { BrokerUnavailableError, type BrokerStatusUpdate, type UpstreamAdapter } from '../upstream/adapter-contract.ts';
import type { Lease, Registry } from '../registry/registry.ts';
import type { WriteBatch } from './write-batch.ts';
import type { UserRecord } from '../users.ts';
import type { UserDirectory } from '../users.ts';
import { ClientSubscriptions } from './client-subscriptions.ts';
import type { Subscriber, TickFanOut } from './fanout.ts';
import { parseRequest, type ClientRequest } from './requests.ts';
import type { SourceGuard } from './source-guard.ts';

/** Per-client limits against hostile or broken clients (docs/gateway.md#hostile-clients). */
export interface ClientLimits {
  /** Subscriptions one client may hold; more get a per-symbol error. */
  maxSubscriptions: number;
  /** Past this many buffered bytes, market data for the client is dropped. */
  softBufferBytes: number;
  /** Past this many buffered bytes (any frame: replies, pongs, errors, data), the client is terminated. */
  hardBufferBytes: number;
  /** The hard cap before a successful authenticate: a stranger gets only this much of our memory. */
  unauthenticatedBufferBytes: number;
  /** A client still over the soft cap after this long has stopped reading: it is closed too. */
  slowGraceMs: number;
  /** A connection that has not authenticated within this time is closed with GatewayCloseCode.authTimeout. */
  authTimeoutMs: number;
  /** Frames a client may queue behind a pending authenticate. */
  maxQueuedFrames: number;
  /** Wrong API keys one connection may send; the last one closes it with GatewayCloseCode.tooManyAuthFailures. */
  maxAuthFailures: number;
  /** The reply to the first wrong key waits this long, doubling with each further one from the same address (at most 10 s). */
  authFailureDelayMs: number;
  /** At most one "invalid API key" warning per connection per this period; the rest are counted. */
  authWarningIntervalMs: number;
}

export const DEFAULT_CLIENT_LIMITS: ClientLimits = {
  maxSubscriptions: 1000,
  softBufferBytes: 256 << 10,
  hardBufferBytes: 4 << 20,
  unauthenticatedBufferBytes: 64 << 10,
  slowGraceMs: 5_000,
  authTimeoutMs: 10_000,
  maxQueuedFrames: 256,
  maxAuthFailures: 3,
  authFailureDelayMs: 250,
  authWarningIntervalMs: 10_000,
};

/** What a session needs from the gateway around it. */
export interface SessionContext {
  users: UserDirectory;
  instruments: InstrumentMaster;
  registry: Registry;
  metrics: GatewayMetrics;
  logger: Logger;
  clock: Clock;
  limits: ClientLimits;
  fanOutFor(adapter: UpstreamAdapter): TickFanOut;
  /** The adapter's latest upstream state, sent to a client right after its `auth` reply. */
  brokerStatusFor(adapter: UpstreamAdapter): BrokerStatusUpdate;
  /** Coalesces each tick burst's market data into one write per client. */
  writeBatch: WriteBatch;
  attached(session: ClientSession): void;
  detached(session: ClientSession): void;
  /** Per-address counts: unauthenticated connections and wrong API keys across reconnects. */
  sources: SourceGuard;
}

const SEND_TEXT = { binary: false } as const;

/**
 * One OpenAlgo client connection: parses its frames, authenticates it against the user directory,
 * holds its lease on the user's adapter and its subscriptions, and sends it market data under a
 * backpressure budget. Frames are handled in order; while an authenticate waits for the upstream,
 * later frames queue behind it (bounded).
 */
export class ClientSession implements Subscriber {
  user: UserRecord | undefined;
  private lease: Lease | undefined;
  private readonly subscriptions: ClientSubscriptions;
  private authTimer: Timer | undefined;
  private pending: Promise<void> | undefined;
  private queued = 0;
  private overSoftCapSince: number | undefined;
  private authFailures = 0;
  private lastAuthWarningAt: number | undefined;
  private suppressedAuthWarnings = 0;
  private closed = false;
  /** We closed it (auth timeout, too many wrong keys): nothing it sends is parsed any more. */
  private ending = false;
  /** The code of the close frame we sent before destroying the socket: what the client saw. */
  private sentCloseCode: number | undefined;
  /** A valid key was seen: the address' count of unauthenticated connections no longer holds this one. */
  private keyAccepted = false;
  private readonly log: Logger;

  constructor(
    readonly id: number,
    private readonly ws: WebSocket,
    /** The TCP socket under `ws`: market data frames are written to it directly, corked per tick burst. */
    private readonly socket: Writable,
    private readonly ctx: SessionContext,
    /** The client's address (behind a trusted proxy, from X-Forwarded-For), its slot in `ctx.sources` taken. */
    readonly address: string,
  ) {
    this.log = ctx.logger.child({ client: id });
    this.subscriptions = new ClientSubscriptions(this, ctx.instruments, ctx.limits.maxSubscriptions);
    this.authTimer = ctx.clock.after(ctx.limits.authTimeoutMs, () => {
      if (this.keyAccepted || this.closed) return;
      this.log.info({ event: LogEvent.clientIdleTimeout }, 'Closing client that did not authenticate in time');
      ctx.metrics.clientsClosed.inc({ reason: 'auth_timeout' });
      this.closeAndDestroy(GatewayCloseCode.authTimeout, 'Authentication timeout');
    });
  }

  /**
   * Sends the close frame and destroys the socket once it is written: a stranger that ignores the close
   * frame is not held for ws' 30 s close timeout, and nothing it sends meanwhile is parsed.
   */
  private closeAndDestroy(code: number, reason: string): void {
    this.ending = true;
    this.sentCloseCode = code;
    this.ws.pause();
    this.end(code, reason);
    this.socket.end(() => this.ws.terminate());
  }

  get adapter(): UpstreamAdapter | undefined {
    return this.lease?.adapter;
  }

  /** Entry point for every client frame. */
  receive(data: Buffer, isBinary: boolean): void {
    if (this.ending) return;
    this.ctx.metrics.clientMessages.inc();
    if (isBinary) {
      this.sendError(ErrorCode.invalidJson, 'Frames must be JSON text');
      return;
    }
    const text = data.toString('utf8');
    if (!this.pending) {
      this.run(text);
      return;
    }
    if (this.queued >= this.ctx.limits.maxQueuedFrames) {
      this.sendError(ErrorCode.invalidParameters, 'Too many frames while authentication is pending; wait for the auth reply');
      return;
    }
    this.queued += 1;
    this.track(
      this.pending.then(() => {
        this.queued -= 1;
        // Frames queued behind the one that closed the connection (e.g. the last wrong key) are not handled.
        return this.closed || this.ws.readyState !== this.ws.OPEN ? undefined : this.handle(text);
      }),
    );
  }

  private run(text: string): void {
    let result: Promise<void> | undefined;
    try {
      result = this.handle(text);
    } catch (err) {
      this.internalError(err);
      return;
    }
    if (result) this.track(result);
  }

  /** Makes later frames wait for `work`; a failure is answered, never left as an unhandled rejection. */
  private track(work: Promise<void>): void {
    const chained: Promise<void> = work
      .catch((err: unknown) => this.internalError(err))
      .finally(() => {
        if (this.pending === chained) this.pending = undefined;
      });
    this.pending = chained;
  }

  private internalError(err: unknown): void {
    this.log.error({ event: LogEvent.clientError, err }, 'Internal error while handling a client frame');
    this.sendError(ErrorCode.server, 'Internal error while handling this frame');
  }

  /** Handles one frame; returns a promise only for work that must finish before the next frame. */
  private handle(text: string): Promise<void> | undefined {
    const request = parseRequest(text);
    if ('error' in request) {
      this.sendError(request.error, request.message);
      return undefined;
    }
    if (request.action === 'authenticate') return this.authenticate(request.apiKey);
    if (request.action === 'get_supported_brokers') {
      const reply: SupportedBrokersMessage = {
        type: ServerMessageType.supportedBrokers,
        status: 'success',
        brokers: [...SUPPORTED_BROKERS],
        count: SUPPORTED_BROKERS.length,
      };
      this.sendJson(reply);
      return undefined;
    }
    if (request.action === 'ping') {
      const reply: PongMessage = { type: ServerMessageType.pong, status: 'success', server_timestamp: Date.now() };
      if (request.timestamp !== undefined) reply.client_timestamp = request.timestamp;
      if (request.pingId !== undefined) reply._pingId = request.pingId;
      this.sendJson(reply);
      return undefined;
    }
    const lease = this.lease;
    const user = this.user;
    if (!lease || !user) {
      this.sendError(ErrorCode.notAuthenticated, 'You must authenticate first');
      return undefined;
    }
    this.handleAuthenticated(request, lease.adapter, user);
    return undefined;
  }

  private handleAuthenticated(request: Exclude<ClientRequest, { action: 'authenticate' | 'ping' | 'get_supported_brokers' }>, adapter: UpstreamAdapter, user: UserRecord): void {
    switch (request.action) {
      case 'subscribe': {
        const { reply, snapshots } = this.subscriptions.subscribe(request, adapter, this.ctx.fanOutFor(adapter));
        this.sendJson(withRequestId(adapter.state === 'open' ? reply : markPending(reply), request.requestId));
        for (const frame of snapshots) this.deliver(frame);
        return;
      }
      case 'unsubscribe':
        this.sendJson(withRequestId(this.subscriptions.unsubscribe(request.items, adapter, this.ctx.fanOutFor(adapter)), request.requestId));
        return;
      case 'unsubscribe_all':
        this.sendJson(withRequestId(this.subscriptions.unsubscribeAll(adapter, this.ctx.fanOutFor(adapter)), request.requestId));
        return;
      case 'get_broker_info': {
        const reply: BrokerInfoMessage = {
          type: ServerMessageType.brokerInfo,
          status: 'success',
          broker: adapter.broker,
          adapter_status: adapter.state,
          user_id: user.userId,
        };
        this.sendJson(reply);
        return;
      }
    }
  }

  private async authenticate(apiKey: string): Promise<void> {
    const user = this.ctx.users.findByApiKey(apiKey);
    if (!user) return this.rejectApiKey();
    // The key is valid: whatever the upstream does from here, this client is not "unauthenticated".
    this.authTimer?.cancel();
    this.authTimer = undefined;
    if (!this.keyAccepted) {
      this.keyAccepted = true;
      this.ctx.sources.authenticated(this.address);
    }
    if (this.lease && this.user === user) {
      if (this.lease.adapter.state === 'failed') await this.retryFailedAdapter(this.lease, user);
      else this.sendAuthSuccess(user);
      return;
    }
    this.dropLease();
    const lease = await this.acquireOrReport(user);
    if (!lease) return;
    if (this.closed) {
      lease.release();
      return;
    }
    this.lease = lease;
    this.user = user;
    this.ctx.attached(this);
    this.log.info({ event: LogEvent.clientAuth, user: user.userId, broker: user.broker }, `Client authenticated as user ${user.userId}`);
    this.sendAuthSuccess(user);
  }

  /**
   * A wrong key costs the sender time, not us log volume: the reply waits (doubling per failure, and the
   * connection's later frames queue behind it), the warning is logged at most once per interval with a
   * count of what was suppressed, and the last allowed failure closes the connection.
   */
  private async rejectApiKey(): Promise<void> {
    this.authFailures += 1;
    const { maxAuthFailures, authWarningIntervalMs } = this.ctx.limits;
    // Counted per address, across its reconnects: closing after 3 wrong keys cost an attacker a handshake.
    const penalty = this.ctx.sources.authFailed(this.address);
    const now = this.ctx.clock.now();
    if (this.lastAuthWarningAt === undefined || now - this.lastAuthWarningAt >= authWarningIntervalMs) {
      this.log.warn({ event: LogEvent.clientAuthFailed, failures: this.authFailures, suppressed: this.suppressedAuthWarnings }, 'Client sent an invalid API key');
      this.lastAuthWarningAt = now;
      this.suppressedAuthWarnings = 0;
    } else {
      this.suppressedAuthWarnings += 1;
    }
    if (penalty.justBlocked) {
      this.log.warn(
        { event: LogEvent.clientSourceBlocked, remote: this.address, blockMs: this.ctx.sources.blockedForMs(this.address) },
        `Refusing connections from ${this.address} for a while: too many invalid API keys`,
      );
    }
    await new Promise<void>((resolve) => this.ctx.clock.after(penalty.delayMs, resolve));
    this.sendError(ErrorCode.authentication, 'Invalid API key');
    if ((this.authFailures >= maxAuthFailures || penalty.blocked) && !this.closed) {
      this.ctx.metrics.clientsClosed.inc({ reason: 'auth_failures' });
      this.closeAndDestroy(GatewayCloseCode.tooManyAuthFailures, 'Too many invalid API keys');
    }
  }

  /**
   * BROKER_ERROR tells a client whose adapter gave up to authenticate again; on the same connection that
   * must start a new connect cycle, not just answer success. A fresh lease does that (the registry hands
   * back the same adapter and restarts it) and the client keeps its subscriptions.
   */
  private async retryFailedAdapter(held: Lease, user: UserRecord): Promise<void> {
    const lease = await this.acquireOrReport(user);
    if (!lease) return;
    if (this.closed || this.lease !== held || lease.adapter !== held.adapter) {
      lease.release();
      if (!this.closed && this.lease === held) this.sendError(ErrorCode.broker, 'The angel adapter was replaced; authenticate again');
      return;
    }
    this.lease = lease;
    held.release();
    this.sendAuthSuccess(user);
  }

  /** Tells this client its upstream changed state. */
  notifyBrokerStatus(status: BrokerStatusUpdate): void {
    const user = this.user;
    if (!user) return;
    const message: BrokerStatusMessage = { type: ServerMessageType.brokerStatus, broker: user.broker, user_id: user.userId, ...status };
    this.sendJson(message);
  }

  /** A lease on the user's adapter, or undefined after telling the client BROKER_ERROR. */
  private async acquireOrReport(user: UserRecord): Promise<Lease | undefined> {
    try {
      return await this.ctx.registry.acquire(user);
    } catch (err) {
      if (!(err instanceof BrokerUnavailableError)) throw err;
      this.sendError(ErrorCode.broker, err.message);
      return undefined;
    }
  }

  private sendAuthSuccess(user: UserRecord): void {
    const reply: AuthSuccessMessage = {
      type: ServerMessageType.auth,
      status: 'success',
      message: Messages.authSuccess,
      broker: user.broker,
      user_id: user.userId,
      supported_features: { ltp: true, quote: true, depth: true },
    };
    this.sendJson(reply);
    if (this.lease) this.notifyBrokerStatus(this.ctx.brokerStatusFor(this.lease.adapter));
  }

  private dropLease(): void {
    const lease = this.lease;
    if (!lease) return;
    this.subscriptions.clear(lease.adapter, this.ctx.fanOutFor(lease.adapter));
    this.ctx.detached(this);
    this.lease = undefined;
    this.user = undefined;
    lease.release();
  }

  /**
   * Market data path: one shared, ready-made WebSocket frame. Past the soft cap frames are dropped, so a
   * stalled client costs at most the soft cap of memory; past the hard cap, or over the soft cap for
   * longer than the grace period, the client is closed.
   */
  deliver(frame: Buffer): boolean {
    // Once ws has started the closing handshake no data frame may follow its close frame.
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return false;
    const buffered = this.ws.bufferedAmount;
    const { softBufferBytes, hardBufferBytes, slowGraceMs } = this.ctx.limits;
    if (buffered <= softBufferBytes) {
      this.overSoftCapSince = undefined;
      this.ctx.writeBatch.hold(this.socket);
      // A ready-made frame straight onto the socket: ws writes synchronously (no permessage-deflate, text
      // only), so this cannot interleave with a frame ws is sending, and it counts in bufferedAmount.
      this.socket.write(frame);
      return true;
    }
    const now = this.ctx.clock.now();
    this.overSoftCapSince ??= now;
    if (buffered > hardBufferBytes || now - this.overSoftCapSince >= slowGraceMs) this.closeSlow(buffered);
    return false;
  }

  private closeSlow(buffered: number): void {
    this.closed = true;
    this.log.warn({ event: LogEvent.clientSlow, user: this.user?.userId, buffered }, 'Closing client that stopped reading');
    this.ctx.metrics.clientsClosed.inc({ reason: 'slow_consumer' });
    // terminate, not close: a close frame would queue behind the megabytes the client is not reading.
    this.ws.terminate();
  }

  /** Sends a broker-level error to this client (the adapter gave up). */
  notifyBrokerError(message: string): void {
    this.sendError(ErrorCode.broker, message);
  }

  /** Closes the connection with a gateway close code (logout, shutdown). */
  end(code: number, reason: string): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, reason);
  }

  /** Drops the connection without a close handshake (shutdown of a client that ignored the close). */
  kill(): void {
    this.ws.terminate();
  }

  /** Called once when the socket is gone: releases everything the client held. */
  disconnected(code: number): void {
    this.closed = true;
    this.authTimer?.cancel();
    this.ctx.sources.closed(this.address, this.keyAccepted);
    const user = this.user;
    this.dropLease();
    const suppressed = this.suppressedAuthWarnings > 0 ? { suppressedAuthWarnings: this.suppressedAuthWarnings } : {};
    this.log.info({ event: LogEvent.clientDisconnect, user: user?.userId, broker: user?.broker, code: this.sentCloseCode ?? code, ...suppressed }, 'Client disconnected');
  }

  private sendError(code: ErrorCodeValue, message: string): void {
    this.ctx.metrics.clientErrors.inc({ code });
    const reply: ErrorMessage = { status: 'error', code, message };
    this.sendJson(reply);
  }

  /**
   * Replies count against the same budget as market data: a client that sends requests but never reads
   * the answers (1,400 unknown symbols per unsubscribe, 65 KB ping ids) grew the gateway by gigabytes.
   * A reply cannot be dropped like a tick, so a client past its cap is closed.
   */
  private sendJson(message: object): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    const text = JSON.stringify(message);
    const cap = this.user ? this.ctx.limits.hardBufferBytes : this.ctx.limits.unauthenticatedBufferBytes;
    const buffered = this.ws.bufferedAmount;
    if (buffered + Buffer.byteLength(text) > cap) {
      this.closeSlow(buffered);
      return;
    }
    this.ws.send(text, SEND_TEXT);
    this.stopReadingWhileBehind();
  }

  /**
   * A client that does not read our replies gets no more requests handled: reading from it pauses while
   * its unread frames exceed the soft cap, so its requests wait in TCP buffers rather than being parsed
   * into garbage and replies. Still behind after the grace period, it is closed as slow.
   */
  private stopReadingWhileBehind(): void {
    if (this.ws.isPaused || this.ws.bufferedAmount <= this.ctx.limits.softBufferBytes) return;
    this.ws.pause();
    const grace = this.ctx.clock.after(this.ctx.limits.slowGraceMs, () => {
      if (!this.closed && this.ws.isPaused) this.closeSlow(this.ws.bufferedAmount);
    });
    this.socket.once('drain', () => {
      grace.cancel();
      if (!this.closed) this.ws.resume();
    });
  }
}

/** Accepted symbols of a subscribe made while the upstream is not open: data follows `broker_status` open. */
function markPending(reply: SubscribeResponse): SubscribeResponse {
  return {
    ...reply,
    subscriptions: reply.subscriptions.map((result) =>
      result.status === 'success' ? { ...result, status: 'pending', message: 'Waiting for the broker connection' } : result,
    ),
  };
}

function withRequestId<T extends object>(message: T, requestId: unknown): T {
  return requestId === undefined ? message : { ...message, request_id: requestId };
}
