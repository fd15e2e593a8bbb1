import type { Logger } from 'pino';
import type { Timer } from '../clock.ts';
import { deliverTick } from '../upstream/tick-delivery.ts';
import { dialUpstream } from '../upstream/upstream-socket.ts';
import type { BrokerName } from '../../protocol/openalgo/index.ts';
import type { AdapterState } from '../upstream/lifecycle.ts';
import type { UserRecord } from '../users.ts';
import type { LegacyAdapter, LegacyAdapterDeps } from './angel-adapter-2025.ts';
import type { EventLoopFreeze } from './event-loop-freeze.ts';
import { CommonMessage, LegacyLogEvent, Message2026, OpenAlgoModule } from './openalgo-log.ts';
import { SDK_LOG_LINE, SmartWebSocketModel } from './smart-websocket.ts';
import { STALL_WATCHDOG, StallWatchdog } from './stall-watchdog.ts';
import { LegacySubscriptions } from './legacy-subscriptions.ts';

/** angel_adapter.py at 60156bc: `reconnect_delay=5`, `max_reconnect_delay=60`, 10 attempts, 5 s thread join. */
export const ADAPTER_2026 = { firstDelayMs: 5_000, maxDelayMs: 60_000, maxAttempts: 10, threadJoinMs: 5_000 } as const;

export interface Adapter2026Deps extends LegacyAdapterDeps {
  freeze: EventLoopFreeze;
}

/**
 * OpenAlgo 2026-08's AngelWebSocketAdapter. Its own back-off (5 s, 10 s, … 60 s) runs beside the SDK's
 * 10 s retry, and each reconnection recreates the SDK client without stopping the old one, whose sleeping
 * retry still dials into the same callbacks. `disconnect()` cannot cancel that sleep either (a zombie), and
 * joining the connect thread while the SDK sleeps freezes the whole proxy for the 5 s join timeout.
 */
export class AngelAdapter2026 extends LegacySubscriptions implements LegacyAdapter {
  readonly broker: BrokerName;
  readonly id: number;
  private running = false;
  private reconnecting = false;
  private reconnectAttempts = 0;
  private reconnectTimer: Timer | undefined;
  private sdk: SmartWebSocketModel;
  private readonly retired = new Set<SmartWebSocketModel>();
  private readonly watchdog: StallWatchdog;
  private readonly logger: Logger;
  private readonly log: Logger;

  constructor(
    readonly user: UserRecord,
    private readonly deps: Adapter2026Deps,
  ) {
    super(deps.maxTokens);
    this.broker = user.broker;
    this.id = deps.adapterId;
    this.logger = deps.logger.child({ user: user.userId, broker: user.broker, adapter: this.id });
    this.log = this.logger.child({ module: OpenAlgoModule.adapter });
    this.watchdog = new StallWatchdog(deps.clock, (silentMs) => this.onStall(silentMs));
    this.sdk = this.createSdk();
  }

  get state(): AdapterState {
    if (this.connected) return 'open';
    if (!this.running) return this.upstreamConnections() > 0 ? 'open' : 'closed';
    return this.reconnectTimer || this.sdk.sleeping() ? 'backoff' : 'connecting';
  }

  connect(): void {
    this.running = true;
    if (this.sdk.threadAlive()) return;
    this.startConnectThread();
  }

  /** Synchronous like OpenAlgo's; a freeze it causes is in force (on `deps.freeze`) when it returns. */
  disconnect(): void {
    this.running = false;
    this.reconnecting = false;
    this.reconnectTimer?.cancel();
    this.reconnectTimer = undefined;
    this.watchdog.stop();
    const sdk = this.sdk;
    sdk.closeConnection();
    this.retired.add(sdk);
    const joinTimesOut = sdk.sleeping();
    this.connected = false;
    this.reconnectAttempts = 0;
    const cleanedUp = () => this.log.info({ event: LegacyLogEvent.adapterCleaned }, Message2026.cleanedUp);
    if (!joinTimesOut) {
      cleanedUp();
      return;
    }
    void this.deps.freeze.block(ADAPTER_2026.threadJoinMs).then(() => {
      this.log.warn({ event: LegacyLogEvent.freeze, frozenMs: ADAPTER_2026.threadJoinMs }, Message2026.threadJoinTimeout);
      cleanedUp();
    });
  }

  destroy(): void {
    this.running = false;
    this.reconnectTimer?.cancel();
    this.watchdog.stop();
    this.sdk.destroy();
    for (const sdk of this.retired) sdk.destroy();
  }

  upstreamConnections(): number {
    let n = this.sdk.upstreamConnections();
    for (const sdk of this.retired) n += sdk.upstreamConnections();
    return n;
  }

  private createSdk(): SmartWebSocketModel {
    const { deps, user } = this;
    return new SmartWebSocketModel(
      {
        version: '2026',
        dial: (handlers) => {
          deps.metrics.upstreamAttempts.inc();
          return dialUpstream(deps.WebSocket, deps.brokerUrl, user, handlers);
        },
        clock: deps.clock,
        logger: this.logger,
        cap: deps.cap,
        zombie: () => !this.running,
      },
      {
        onOpen: () => this.onOpen(),
        onData: (data, isBinary) => this.onData(data, isBinary),
        onError: (type, message) => this.log.error({ event: LegacyLogEvent.upstreamError }, Message2026.adapterError(type, message)),
        onClose: () => this.onClose(),
      },
    );
  }

  /**
   * `_connect_with_retry`: `ws_client.connect()` returns without raising once its socket ends, and the
   * adapter then resets its attempt counter. The reconnection scheduled from `on_close` inside that call has
   * already read the counter, so in a lockout every cycle waits 10 s of back-off plus the SDK's 10 s sleep.
   */
  private startConnectThread(): void {
    this.log.info({ event: LegacyLogEvent.upstreamConnect, attempt: this.reconnectAttempts + 1 }, CommonMessage.connecting(this.reconnectAttempts + 1));
    void this.sdk.connect().then(() => {
      this.reconnectAttempts = 0;
    });
  }

  private onOpen(): void {
    this.connected = this.running;
    this.log.info({ event: LegacyLogEvent.upstreamOpen, zombie: !this.running }, CommonMessage.connected);
    if (!this.running) {
      // The zombie still resubscribes what the adapter held, and holds its slot with nobody to feed.
      this.replaySubscriptions();
      return;
    }
    this.watchdog.start();
    this.replaySubscriptions();
  }

  private onClose(): void {
    this.log.info({ event: LegacyLogEvent.upstreamClose, zombie: !this.running }, CommonMessage.closed);
    this.connected = false;
    this.watchdog.stop();
    if (!this.running) {
      this.log.debug(Message2026.notReconnecting);
      return;
    }
    if (this.reconnecting) return;
    this.reconnecting = true;
    this.scheduleReconnection();
  }

  private scheduleReconnection(): void {
    if (this.reconnectAttempts >= ADAPTER_2026.maxAttempts) {
      this.log.error({ event: LegacyLogEvent.upstreamExhausted }, Message2026.maxReconnect);
      this.running = false;
      this.reconnecting = false;
      return;
    }
    const delayMs = Math.min(ADAPTER_2026.firstDelayMs * 2 ** this.reconnectAttempts, ADAPTER_2026.maxDelayMs);
    this.log.info(
      { event: LegacyLogEvent.upstreamBackoff, delayMs, attempt: this.reconnectAttempts + 1 },
      Message2026.reconnectingIn(delayMs / 1000, this.reconnectAttempts + 1),
    );
    this.reconnectTimer = this.deps.clock.after(delayMs, () => this.attemptReconnection());
  }

  /** `_attempt_reconnection`: a fresh SDK client; the old one is dropped but not stopped. */
  private attemptReconnection(): void {
    this.reconnectTimer = undefined;
    this.reconnecting = false;
    if (!this.running) return;
    this.reconnectAttempts += 1;
    this.sdk.closeConnection();
    this.retired.add(this.sdk);
    this.sdk = this.createSdk();
    this.startConnectThread();
  }

  private onStall(silentMs: number): void {
    const sdkLog = this.logger.child({ module: OpenAlgoModule.sdk });
    sdkLog.error({ event: LegacyLogEvent.stall, silentMs, sdkLine: SDK_LOG_LINE['2026'].stall }, Message2026.stall(silentMs / 1000, STALL_WATCHDOG.dataTimeoutMs / 1000));
    sdkLog.info({ sdkLine: SDK_LOG_LINE['2026'].forcing }, Message2026.forcing);
    this.sdk.closeConnection();
  }

  private onData(data: Buffer, isBinary: boolean): void {
    if (!this.running || !isBinary) return;
    this.watchdog.fed();
    deliverTick(this, data, this.deps);
  }

  protected sendText(text: string): boolean {
    return this.sdk.send(text);
  }
}
