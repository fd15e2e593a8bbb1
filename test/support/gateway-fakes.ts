import type { Clock, Timer } from '../../gateway/clock.ts';
import { pino, type DestinationStream } from 'pino';
import type { UpstreamSocket, UpstreamSocketConstructor } from '../../gateway/upstream/upstream-socket.ts';
import { GatewayMetrics } from '../../gateway/metrics.ts';
import type { AdapterDeps } from '../../gateway/upstream/adapter-contract.ts';

/** A clock that only moves when told to; timers fire in due order during `advance`. */
export class FakeClock implements Clock {
  private time = 0;
  private timers: { at: number; seq: number; fn: () => void; cancelled: boolean }[] = [];
  private seq = 0;

  now(): number {
    return this.time;
  }

  after(ms: number, fn: () => void): Timer {
    const timer = { at: this.time + ms, seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => (timer.cancelled = true) };
  }

  /** Delays of the timers still pending, relative to now. */
  pending(): number[] {
    return this.timers.filter((t) => !t.cancelled).map((t) => t.at - this.time);
  }

  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => !t.cancelled && t.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = due.at;
      due.fn();
    }
    this.time = end;
  }
}

type Listener = (...args: any[]) => void;

/** A scripted upstream socket: the test decides when it opens, refuses, talks or closes. */
export class FakeSocket implements UpstreamSocket {
  static created: FakeSocket[] = [];
  /** When set, close() only starts closing; the test ends it with completeClose(), like a slow broker. */
  static deferClose = false;
  closing = false;
  readyState = 0;
  readonly sent: string[] = [];
  terminated = false;
  private readonly listeners = new Map<string, Listener[]>();

  constructor(
    readonly url: string,
    readonly options: { headers: Record<string, string> },
  ) {
    FakeSocket.created.push(this);
  }

  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }

  private emit(event: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(event) ?? []) listener(...args);
  }

  send(data: string): void {
    this.sent.push(data);
  }

  close(): void {
    if (FakeSocket.deferClose) this.closing = true;
    else this.finish();
  }

  completeClose(): void {
    this.finish();
  }

  terminate(): void {
    this.terminated = true;
    this.finish();
  }

  acceptHandshake(): void {
    this.readyState = 1;
    this.emit('open');
  }

  refuse(status: number, reason: string): void {
    this.emit('unexpected-response', {}, { statusCode: status, headers: { 'x-error-message': reason }, resume: () => undefined });
  }

  receive(data: Buffer | string): void {
    this.emit('message', Buffer.isBuffer(data) ? data : Buffer.from(data), Buffer.isBuffer(data));
  }

  drop(): void {
    this.finish();
  }

  private finish(): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.emit('close', 1006, Buffer.alloc(0));
  }

  /** The JSON requests sent so far (heartbeat pings skipped). */
  requests(): any[] {
    return this.sent.filter((s) => s !== 'ping').map((s) => JSON.parse(s));
  }
}

/**
 * Adapter dependencies on fake sockets and a fake clock, with short timings: the adapter and registry
 * unit tests start from these and override what each test is about.
 */
export function fakeAdapterDeps(clock: Clock, logs: DestinationStream): AdapterDeps {
  return {
    brokerUrl: 'ws://broker.test/smart-stream',
    WebSocket: FakeSocket as unknown as UpstreamSocketConstructor,
    clock,
    random: () => 0.5,
    logger: pino({ base: undefined }, logs),
    metrics: new GatewayMetrics(),
    maxReconnect: 5,
    backoff: { baseMs: 100, capMs: 1_000, rateLimitedMinMs: 300, rateLimitedMaxMs: 500 },
    heartbeat: { pingMs: 10_000, deadMs: 25_000 },
    maxTokens: 1000,
    listener: { onTick: () => undefined, onStatus: () => undefined, onFailed: () => undefined },
  };
}
