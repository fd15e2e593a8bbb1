import type fc from 'fast-check';
import { WebSocket } from 'ws';
import { mulberry32, startMockBroker, type BrokerEvent, type MockBroker } from '../../mock-broker/index.ts';
import type { UpstreamSocketConstructor } from '../../gateway/upstream/upstream-socket.ts';
import { startGateway } from '../../gateway/index.ts';
import { CREDENTIAL_HEADERS, HEARTBEAT } from '../../protocol/smartapi/index.ts';
import type { Gateway, GatewayOptions, RegistryMode, UserRecord } from '../../gateway/index.ts';
import { LogCapture } from '../support/gateway-harness.ts';
import { waitFor } from '../support/mock-broker-client.ts';
import { IO_DEADLINE_MS, ManualTime, RealTime, type TimeControl } from './registry-model-time.ts';
import type { PoolLimits } from './registry-model.ts';

/**
 * The real system the registry properties drive: the mock broker and the gateway in this process, on
 * real sockets bound to 127.0.0.1, OpenAlgo clients on real sockets, and the gateway's upstream sockets
 * built by a recording constructor so the test knows when the wire is quiet. Invariants are read from
 * the mock broker (its events and per-connection subscriptions), never from the gateway's opinion.
 */

/** Two users of one gateway, each with its own AngelOne client code. */
export const MODEL_USERS: readonly UserRecord[] = [
  { apiKey: 'pk-alpha-3c1f', userId: 'alpha', broker: 'angel', clientCode: 'AL001', brokerApiKey: 'bk-alpha', feedToken: 'ft-alpha', authToken: 'jwt-alpha' },
  { apiKey: 'pk-beta-8e2a', userId: 'beta', broker: 'angel', clientCode: 'BE002', brokerApiKey: 'bk-beta', feedToken: 'ft-beta', authToken: 'jwt-beta' },
];

/**
 * The mock's default connection limit (docs/mock-broker.md#options), the one the incident report believed in.
 */
export const BROKER_LIMIT = 2;

/** Gateway time scaled down for the deep suite: production timings × DEEP_SCALE on real timers. */
export const DEEP_SCALE = 0.02;
const DEEP_TIMINGS: GatewayOptions = {
  backoff: { baseMs: 1_000 * DEEP_SCALE, capMs: 30_000 * DEEP_SCALE, rateLimitedMinMs: 4_900 * DEEP_SCALE, rateLimitedMaxMs: 5_300 * DEEP_SCALE },
  heartbeat: { pingMs: 10_000 * DEEP_SCALE, deadMs: 25_000 * DEEP_SCALE },
  legacy: { timeScale: DEEP_SCALE },
};

/**
 * The legacy safety cap (not part of the bug), lowered so a runaway ends sooner: enough dials per second
 * for every legacy mechanism to show, far above any reconnect budget.
 */
const LEGACY_SAFETY_CAP = { maxAttemptsPerSecond: 60, runawayPerSecond: 30, maxRunawayMs: 2_000 };

export type Speed = 'fast' | 'deep';

export interface SystemConfig {
  registry: RegistryMode;
  speed: Speed;
  maxReconnect: number;
  seed: number;
  /** Lets fast-check decide when upstream handshakes complete relative to client frames. */
  scheduler?: fc.Scheduler;
  /** Pool runs: the gateway and the broker both hold `maxTokens` per connection, the gateway `maxUpstream` connections. */
  pool?: PoolLimits;
}

interface RecordedSocket {
  ws: WebSocket;
  clientCode: string;
  pingsUnanswered: number;
  lastPingAt: number;
}

/**
 * Builds the gateway's upstream sockets (real `ws`) and keeps track of them: which are mid-handshake,
 * which pings are unanswered, and, when a gate is set, holds each socket's `open` event (and what follows
 * it) until fast-check's scheduler releases it.
 */
export class UpstreamRecorder {
  private readonly live = new Set<RecordedSocket>();
  private heldEvents = 0;
  /** Wall time at which the last injected stall ends; pings sent before it may go unanswered. */
  stallEndsAt = 0;
  readonly listenerErrors: unknown[] = [];
  gate: ((label: string) => Promise<unknown>) | undefined;

  readonly Socket: UpstreamSocketConstructor;

  constructor() {
    const recorder = this;
    class RecordingSocket extends WebSocket {
      private held: Promise<void> | undefined;
      private readonly clientCode: string;
      constructor(url: string, options: { headers: Record<string, string> }) {
        super(url, options);
        this.clientCode = options.headers[CREDENTIAL_HEADERS.clientCode] ?? '';
        recorder.track(this, this.clientCode);
      }
      override emit(event: string | symbol, ...args: unknown[]): boolean {
        const gate = recorder.gate;
        if (!this.held && (!gate || event !== 'open')) return super.emit(event, ...args);
        recorder.heldEvents += 1;
        const before = this.held ?? Promise.resolve();
        const released = before
          .then(() => (event === 'open' && gate ? gate(`upstream open ${this.clientCode}`) : undefined))
          .then(() => void super.emit(event, ...args))
          .catch((err: unknown) => void recorder.listenerErrors.push(err))
          .finally(() => {
            recorder.heldEvents -= 1;
            if (this.held === released) this.held = undefined;
          });
        this.held = released;
        return this.listenerCount(event) > 0;
      }
    }
    this.Socket = RecordingSocket as unknown as UpstreamSocketConstructor;
  }

  /** The broker was told to stall for `ms` of wall time from now. */
  noteStall(ms: number): void {
    this.stallEndsAt = Math.max(this.stallEndsAt, Date.now() + ms);
  }

  /** Open sockets per client code, as the gateway's side of the wire sees them. */
  openByCode(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const s of this.live) if (s.ws.readyState === WebSocket.OPEN) counts.set(s.clientCode, (counts.get(s.clientCode) ?? 0) + 1);
    return counts;
  }

  /** Whether an upstream handshake is in flight. */
  dialling(): boolean {
    for (const s of this.live) if (s.ws.readyState === WebSocket.CONNECTING) return true;
    return false;
  }

  /** Why the wire is not quiet yet, or undefined when it is. */
  busy(): string | undefined {
    if (this.heldEvents > 0) return `${this.heldEvents} upstream events held by the scheduler`;
    for (const s of this.live) {
      const state = s.ws.readyState;
      if (state === WebSocket.CONNECTING || state === WebSocket.CLOSING) return `an upstream socket of ${s.clientCode} is mid-handshake`;
      if (state === WebSocket.OPEN && s.pingsUnanswered > 0 && s.lastPingAt > this.stallEndsAt + 100) return 'a ping is unanswered';
    }
    return undefined;
  }

  private track(ws: WebSocket, clientCode: string): void {
    const socket: RecordedSocket = { ws, clientCode, pingsUnanswered: 0, lastPingAt: 0 };
    this.live.add(socket);
    const send = ws.send.bind(ws) as (data: unknown, ...rest: unknown[]) => void;
    (ws as unknown as { send: typeof send }).send = (data, ...rest) => {
      if (data === HEARTBEAT.ping) {
        socket.pingsUnanswered += 1;
        socket.lastPingAt = Date.now();
      }
      send(data, ...rest);
    };
    ws.on('message', () => (socket.pingsUnanswered = 0));
    ws.on('close', () => this.live.delete(socket));
  }
}

type Json = Record<string, any>;

/** One OpenAlgo client on a real socket; keeps every frame so replies can be matched by kind. */
export class ModelClient {
  readonly received: Json[] = [];
  closed = false;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.received.push(JSON.parse(data.toString()) as Json));
    ws.on('close', () => (this.closed = true));
    ws.on('error', () => undefined);
  }

  static async open(url: string): Promise<ModelClient> {
    const ws = new WebSocket(url);
    const client = new ModelClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  send(message: object): void {
    this.ws.send(JSON.stringify(message));
  }

  /** The first frame from index `from` on that `matches`. */
  find(from: number, matches: (m: Json) => boolean): Json | undefined {
    for (let i = from; i < this.received.length; i++) if (matches(this.received[i]!)) return this.received[i];
    return undefined;
  }
}

/** Broker, gateway, clients and the clock that moves the gateway's timers. */
export class ModelSystem {
  readonly clients = new Map<number, ModelClient>();
  readonly logs = new LogCapture();
  readonly recorder = new UpstreamRecorder();
  readonly time: TimeControl;
  private savedEvents: BrokerEvent[] = [];
  broker!: MockBroker;
  gateway!: Gateway;

  private constructor(readonly config: SystemConfig) {
    const settle = () => this.settle();
    this.time = config.speed === 'fast' ? new ManualTime(settle) : new RealTime(DEEP_SCALE, settle, () => this.releaseOne());
  }

  static async start(config: SystemConfig): Promise<ModelSystem> {
    const system = new ModelSystem(config);
    if (config.scheduler) system.recorder.gate = (label) => system.gate(label);
    system.broker = await startMockBroker({
      port: 0,
      limit: BROKER_LIMIT,
      tickMs: 20,
      seed: config.seed,
      logLevel: 'silent',
      ...(config.pool && { maxTokens: config.pool.maxTokens }),
      accounts: MODEL_USERS.map((u) => ({ clientCode: u.clientCode, apiKey: u.brokerApiKey, feedToken: u.feedToken, authToken: u.authToken })),
    });
    try {
      system.gateway = await startGateway({
        port: 0,
        adminPort: 0,
        brokerUrl: system.broker.url,
        registry: config.registry,
        users: [...MODEL_USERS],
        logDestination: system.logs,
        maxReconnect: config.maxReconnect,
        ...(config.pool ?? { maxUpstream: 1 }),
        WebSocket: system.recorder.Socket,
        clock: system.time.clock,
        random: mulberry32(config.seed),
        // Not under test here, and it would close idle clients whenever a command lets time pass; the
        // largest delay setTimeout accepts (anything larger fires at once).
        clientLimits: { authTimeoutMs: 2 ** 31 - 1 },
        ...(config.speed === 'deep' ? DEEP_TIMINGS : {}),
        legacy: { ...(config.speed === 'deep' ? DEEP_TIMINGS.legacy : {}), safetyCap: LEGACY_SAFETY_CAP },
      });
    } catch (err) {
      await system.broker.close();
      throw err;
    }
    return system;
  }

  /** Resolves when the scheduler releases `label` (at once without a scheduler). */
  gate(label: string): Promise<unknown> {
    return this.config.scheduler?.schedule(Promise.resolve(label), label) ?? Promise.resolve();
  }

  /**
   * Awaits `work` while releasing scheduled steps one at a time, in the order fast-check picks, letting
   * the wire settle between two releases: so an upstream handshake that completed meanwhile competes
   * with the client frames still held. A command runs inside a scheduled task of fc.scheduledModelRun,
   * whose own waiting cannot release the steps the command itself schedules.
   */
  async drive<T>(work: Promise<T>): Promise<T> {
    const scheduler = this.config.scheduler;
    if (!scheduler) return work;
    let done = false;
    const tracked = work.finally(() => (done = true));
    while (!done) {
      if (scheduler.count() > 0) {
        await scheduler.waitOne();
        await waitFor(() => !this.recorder.dialling(), 'upstream handshakes to finish', IO_DEADLINE_MS).catch(() => undefined);
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return tracked;
  }

  /** waitFor that keeps releasing held steps meanwhile, so a reconnect's handshake is never left waiting. */
  eventually<T>(probe: () => T | undefined | null | false, what: string, timeoutMs = IO_DEADLINE_MS): Promise<T> {
    return waitFor(
      async () => {
        await this.releaseOne();
        return probe();
      },
      what,
      timeoutMs,
    );
  }

  /** Releases one held step, if the scheduler holds any. */
  async releaseOne(): Promise<void> {
    const scheduler = this.config.scheduler;
    if (scheduler && scheduler.count() > 0) await scheduler.waitOne();
  }

  /** The broker's connection timeline since start, across `clearFaults`. */
  events(): BrokerEvent[] {
    return [...this.savedEvents, ...this.broker.events()];
  }

  /** Ends every pending fault (the broker's reset also restarts its record, so the timeline is kept here). */
  clearFaults(): void {
    this.savedEvents = this.events();
    this.broker.reset();
    // A ping the broker dropped while stalled stays unanswered; one sent from now on must get its pong.
    this.recorder.stallEndsAt = Math.min(this.recorder.stallEndsAt, Date.now());
  }

  /**
   * Waits until the wire is quiet: no upstream handshake in flight, no event held back, no ping waiting
   * for its pong, and the broker counting exactly the connections the gateway's side holds open.
   */
  async settle(): Promise<void> {
    let why: string | undefined;
    await waitFor(
      async () => {
        await this.releaseOne();
        why = this.recorder.busy() ?? this.brokerMismatch();
        return why === undefined;
      },
      'the sockets to settle',
      IO_DEADLINE_MS,
    ).catch((err: Error) => {
      throw new Error(`${err.message}: ${why}`);
    });
    if (this.recorder.listenerErrors.length > 0) throw this.recorder.listenerErrors[0];
  }

  private brokerMismatch(): string | undefined {
    const gatewaySide = this.recorder.openByCode();
    const brokerSide = this.broker.stats().current;
    for (const { clientCode } of MODEL_USERS) {
      const g = gatewaySide.get(clientCode) ?? 0;
      const b = brokerSide[clientCode] ?? 0;
      if (g !== b) return `${clientCode}: broker counts ${b} open, gateway side ${g}`;
    }
    return undefined;
  }

  async stop(): Promise<void> {
    this.recorder.gate = undefined;
    // A run that failed midway may leave steps held; the sockets behind them must still close.
    while (this.config.scheduler && this.config.scheduler.count() > 0) await this.config.scheduler.waitOne();
    for (const client of this.clients.values()) client.ws.terminate();
    await this.gateway.close();
    await this.broker.close();
  }
}
