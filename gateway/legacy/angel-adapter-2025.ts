import type { Logger } from 'pino';
import { deliverTick } from '../upstream/tick-delivery.ts';
import { dialUpstream } from '../upstream/upstream-socket.ts';
import type { BrokerName } from '../../protocol/openalgo/index.ts';
import type { AdapterDeps, UpstreamAdapter } from '../upstream/adapter-contract.ts';
import type { AdapterState } from '../upstream/lifecycle.ts';
import type { UserRecord } from '../users.ts';
import { CommonMessage, LegacyLogEvent, Message2025, OpenAlgoModule } from './openalgo-log.ts';
import type { SafetyCap } from './safety-cap.ts';
import { SmartWebSocketModel } from './smart-websocket.ts';
import { LegacySubscriptions } from './legacy-subscriptions.ts';

/** What both legacy adapters need beyond the singleton's deps. */
export interface LegacyAdapterDeps extends AdapterDeps {
  cap: SafetyCap;
  /** A number per adapter instance, in every line, so tests and readers can tell adapters apart. */
  adapterId: number;
}

/** The part the legacy registries drive. */
export interface LegacyAdapter extends UpstreamAdapter {
  readonly id: number;
  connect(): void;
  disconnect(): void;
  destroy(): void;
}

/**
 * OpenAlgo 2025-11's AngelWebSocketAdapter (broker/angel/streaming/angel_adapter.py at 5c860ee).
 *
 * The unwinding that spawns chains: `_on_close` starts a new `_connect_with_retry` thread whenever the
 * adapter is still running, and the SDK calls it once per nested `run_forever` frame as they unwind. Once
 * the SDK's five retries are spent, every later 429 gives up at once and closes, so each of those threads
 * becomes an endless zero-delay loop of `Connecting to Angel WebSocket (attempt 1)`.
 *
 * `disconnect()` only clears `running` and closes the SDK's newest socket: a retry sleeping in the SDK
 * still dials, and the socket it opens (a zombie) resubscribes and holds a broker slot for good.
 */
export class AngelAdapter2025 extends LegacySubscriptions implements LegacyAdapter {
  readonly broker: BrokerName;
  readonly id: number;
  private running = false;
  private readonly sdk: SmartWebSocketModel;
  private readonly log: Logger;

  constructor(
    readonly user: UserRecord,
    private readonly deps: LegacyAdapterDeps,
  ) {
    super(deps.maxTokens);
    this.broker = user.broker;
    this.id = deps.adapterId;
    const logger = deps.logger.child({ user: user.userId, broker: user.broker, adapter: this.id });
    this.log = logger.child({ module: OpenAlgoModule.adapter });
    this.sdk = new SmartWebSocketModel(
      {
        version: '2025',
        dial: (handlers) => {
          deps.metrics.upstreamAttempts.inc();
          return dialUpstream(deps.WebSocket, deps.brokerUrl, user, handlers);
        },
        clock: deps.clock,
        logger,
        cap: deps.cap,
        zombie: () => !this.running,
      },
      {
        onOpen: () => this.onOpen(),
        onData: (data, isBinary) => this.onData(data, isBinary),
        onError: (_type, message) => this.log.error({ event: LegacyLogEvent.upstreamError }, Message2025.adapterError(message)),
        onClose: () => this.onClose(),
      },
    );
  }

  get state(): AdapterState {
    if (this.connected) return 'open';
    if (!this.running) return this.sdk.upstreamConnections() > 0 ? 'open' : 'closed';
    return this.sdk.sleeping() ? 'backoff' : 'connecting';
  }

  /** `initialize()` then `connect()`: starts the connect thread and returns at once. */
  connect(): void {
    this.running = true;
    this.connectWithRetry();
  }

  disconnect(): void {
    this.running = false;
    this.connected = false;
    this.sdk.closeConnection();
  }

  destroy(): void {
    this.running = false;
    this.sdk.destroy();
  }

  upstreamConnections(): number {
    return this.sdk.upstreamConnections();
  }

  /** `_connect_with_retry` on a new thread: `ws_client.connect()` never raises, so it always says attempt 1. */
  private connectWithRetry(): void {
    if (!this.running) return;
    this.log.info({ event: LegacyLogEvent.upstreamConnect, attempt: 1 }, CommonMessage.connecting(1));
    void this.sdk.connect();
  }

  private onOpen(): void {
    this.connected = this.running;
    this.log.info({ event: LegacyLogEvent.upstreamOpen, zombie: !this.running }, CommonMessage.connected);
    this.replaySubscriptions();
  }

  private onClose(): void {
    this.log.info({ event: LegacyLogEvent.upstreamClose, zombie: !this.running }, CommonMessage.closed);
    this.connected = false;
    this.connectWithRetry();
  }

  private onData(data: Buffer, isBinary: boolean): void {
    // A disconnected adapter has cleaned up its ZeroMQ socket: what a zombie receives reaches nobody.
    if (!this.running || !isBinary) return;
    deliverTick(this, data, this.deps);
  }

  protected sendText(text: string): boolean {
    return this.sdk.send(text);
  }
}
