import type { Logger } from 'pino';
import type { Clock, Timer } from '../clock.ts';
import type { DialHandlers, DialOutcome, UpstreamSocket } from '../upstream/upstream-socket.ts';
import { CommonMessage, handshakeRefused, LegacyLogEvent, OpenAlgoModule } from './openalgo-log.ts';
import type { SafetyCap } from './safety-cap.ts';

/** SmartWebSocketV2 as OpenAlgo constructs it: `max_retry_attempt=5`, `retry_delay=10`, simple strategy. */
export const SDK_RETRY = { maxRetryAttempt: 5, retryDelayMs: 10_000 } as const;

export type LegacyVersion = '2025' | '2026';

/**
 * Source lines of the SDK's log calls per version (docs/architecture.md#log-templates), for logzero's
 * `module:LINE`.
 */
export const SDK_LOG_LINE = {
  '2025': { retry: 319, giveUp: 343, subscribe: 212, stall: 0, forcing: 0 },
  '2026': { retry: 416, giveUp: 462, subscribe: 264, stall: 528, forcing: 545 },
} as const satisfies Record<LegacyVersion, Record<string, number>>;

/** What the adapter hands the SDK as callbacks (`on_open`, `on_data`, `on_error`, `on_close`). */
export interface SdkCallbacks {
  onOpen(socket: UpstreamSocket): void;
  onData(data: Buffer, isBinary: boolean): void;
  onError(type: string, message: string): void;
  onClose(): void;
}

export interface SdkDeps {
  version: LegacyVersion;
  dial(handlers: DialHandlers): UpstreamSocket;
  /** Scaled by `--time-scale`. */
  clock: Clock;
  logger: Logger;
  cap: SafetyCap;
  /** The adapter behind these callbacks was torn down: what the SDK still does is a zombie's doing. */
  zombie(): boolean;
}

/**
 * The SmartAPI SDK's WebSocket (broker/angel/streaming/smartWebSocketV2.py) as far as the storm needs it.
 *
 * `connect()` is websocket-client's blocking `run_forever`: it resolves when this frame has unwound, after
 * calling `on_close`. On an error, `_on_error` sleeps 10 s and calls `connect()` again *from inside the
 * error callback*: the retries nest, and `current_retry_attempt` is never reset, not even by a successful
 * open. When the five retries are spent, the innermost frame gives up at once, and then every frame on the
 * way out calls `on_close` — each one is a new reconnect for the adapter.
 *
 * Nothing here checks whether the adapter was disconnected: a retry already sleeping wakes up and dials
 * anyway. 2026-08 adds a `_reconnecting` guard, so a retry's own failure does not nest a second retry.
 */
export class SmartWebSocketModel {
  private retryAttempt = 0;
  private reconnecting = false;
  private wsapp: UpstreamSocket | undefined;
  private readonly openSockets = new Set<UpstreamSocket>();
  private readonly sleeps = new Set<Timer>();
  private running = 0;
  private destroyed = false;
  private readonly log: Logger;
  private readonly clientLog: Logger;

  constructor(
    private readonly deps: SdkDeps,
    private readonly callbacks: SdkCallbacks,
  ) {
    this.log = deps.logger.child({ module: OpenAlgoModule.sdk });
    this.clientLog = deps.logger.child({ module: OpenAlgoModule.websocketClient });
  }

  private get lines(): (typeof SDK_LOG_LINE)[LegacyVersion] {
    return SDK_LOG_LINE[this.deps.version];
  }

  /** `run_forever`: dials, waits for the socket to end, handles an error (nesting), then `on_close`. */
  async connect(): Promise<void> {
    if (this.destroyed || !(await this.deps.cap.permit())) return;
    this.running += 1;
    try {
      const outcome = await this.runOnce();
      if (this.destroyed) return;
      if (isError(outcome)) {
        if (outcome.status !== undefined) {
          this.clientLog.error(
            { event: LegacyLogEvent.upstreamRejected, status: outcome.status, zombie: this.deps.zombie() },
            handshakeRefused(outcome.status, outcome.reason),
          );
        }
        await this.onError();
      }
      if (!this.destroyed) this.callbacks.onClose();
    } finally {
      this.running -= 1;
    }
  }

  /**
   * `close_connection()`: closes the newest socket only; older ones stay open with no owner. A handshake
   * still in flight is not interrupted: websocket-client has no socket to close until it completes.
   */
  closeConnection(): void {
    const socket = this.wsapp;
    if (!socket || !this.openSockets.has(socket)) return;
    this.wsapp = undefined;
    socket.close();
  }

  /** Sends on the newest socket; false (and the SDK's error line) when it is not open. */
  send(text: string): boolean {
    const socket = this.wsapp;
    if (!socket || !this.openSockets.has(socket)) {
      this.log.error({ event: LegacyLogEvent.subscribeFailed, sdkLine: this.lines.subscribe }, CommonMessage.subscribeFailed('socket is already closed.'));
      return false;
    }
    socket.send(text);
    return true;
  }

  /** A `run_forever` frame is still on the stack: the adapter's connect thread is alive. */
  threadAlive(): boolean {
    return this.running > 0;
  }

  /** Sleeping inside `_on_error`: a thread join now waits out the sleep. */
  sleeping(): boolean {
    return this.sleeps.size > 0;
  }

  upstreamConnections(): number {
    return this.openSockets.size;
  }

  /** Gateway shutdown, which OpenAlgo never did: ends every socket and sleep, zombies included. */
  destroy(): void {
    this.destroyed = true;
    for (const timer of this.sleeps) timer.cancel();
    this.sleeps.clear();
    for (const socket of this.openSockets) socket.terminate();
    this.wsapp?.terminate();
  }

  private runOnce(): Promise<DialOutcome> {
    return new Promise((resolve) => {
      const socket = this.deps.dial({
        onOpen: () => {
          this.openSockets.add(socket);
          this.callbacks.onOpen(socket);
        },
        onMessage: (data, isBinary) => this.callbacks.onData(data, isBinary),
        onClosed: (outcome) => {
          this.openSockets.delete(socket);
          if (this.wsapp === socket) this.wsapp = undefined;
          resolve(outcome);
        },
      });
      this.wsapp = socket;
    });
  }

  /** `_on_error`. */
  private async onError(): Promise<void> {
    if (this.deps.version === '2026' && this.reconnecting) return;
    if (this.retryAttempt >= SDK_RETRY.maxRetryAttempt) {
      this.closeConnection();
      this.callbacks.onError('Max retry attempt reached', 'Connection closed');
      this.log.warn({ event: LegacyLogEvent.sdkGiveUp, sdkLine: this.lines.giveUp }, CommonMessage.sdkGiveUp);
      return;
    }
    this.log.warn({ event: LegacyLogEvent.sdkRetry, attempt: this.retryAttempt + 1, sdkLine: this.lines.retry }, CommonMessage.sdkRetry(this.retryAttempt + 1));
    this.retryAttempt += 1;
    await this.sleep(SDK_RETRY.retryDelayMs);
    if (this.destroyed) return;
    if (this.deps.version === '2026') {
      if (this.reconnecting) return;
      this.reconnecting = true;
    }
    try {
      this.closeConnection();
      await this.connect();
    } finally {
      this.reconnecting = false;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.deps.clock.after(ms, () => {
        this.sleeps.delete(timer);
        resolve();
      });
      this.sleeps.add(timer);
    });
  }
}

/**
 * websocket-client calls `on_error` for a refused or failed handshake and for a connection cut without a
 * close frame; a close frame from the broker ends `run_forever` with `on_close` alone.
 */
function isError(outcome: DialOutcome): boolean {
  if (!outcome.opened) return true;
  return outcome.closeCode === 1006 || outcome.closeCode === undefined;
}
