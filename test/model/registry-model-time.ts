import type { Clock, Timer } from '../../gateway/clock.ts';
import { systemClock } from '../../gateway/clock.ts';
import { waitFor } from '../support/mock-broker-client.ts';

/**
 * How time passes for the gateway in the registry properties. The fast suite drives a manual clock
 * (production backoff and heartbeat timings, seconds of gateway time per millisecond of wall time); the
 * deep suite lets real timers run with scaled-down timings. Either way a command only says how much
 * gateway time passes or what it is waiting for; the sockets are always real.
 */
export interface TimeControl {
  readonly clock: Clock;
  /** Lets `ms` of gateway time pass, settling the sockets after each timer that fires. */
  passes(ms: number): Promise<void>;
  /**
   * Waits until `probe` returns something, letting gateway time pass (at most `maxGatewayMs`) when the
   * sockets are quiet and the answer still depends on a timer (a backoff before the next dial).
   */
  pumpUntil<T>(probe: () => T | undefined | false, what: string, maxGatewayMs: number): Promise<T>;
}

/** Everything in flight on real sockets has landed; supplied by the system under test. */
export type Settle = () => Promise<void>;

/** Lets the scheduler release one held step, if any (a no-op without a scheduler). */
export type Release = () => Promise<void>;

/** Real-socket deadlines: generous, because the machine is shared and noisy. */
export const IO_DEADLINE_MS = 10_000;

interface Pending {
  due: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A clock that only moves when told to. Timers fire one at a time in due order, and the sockets settle
 * between two of them, so a reconnect dialled by one timer has been answered before the next timer can
 * look at the connection: gateway time is compressed, causality is kept.
 */
export class ManualTime implements TimeControl {
  private now = 1_764_000_000_000;
  private seq = 0;
  private readonly timers: Pending[] = [];
  readonly clock: Clock;

  constructor(private readonly settle: Settle) {
    this.clock = {
      now: () => this.now,
      after: (ms, fn): Timer => {
        const pending: Pending = { due: this.now + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
        this.timers.push(pending);
        return { cancel: () => (pending.cancelled = true) };
      },
    };
  }

  async passes(ms: number): Promise<void> {
    const target = this.now + ms;
    await this.settle();
    while (await this.fireNext(target));
    this.now = target;
  }

  async pumpUntil<T>(probe: () => T | undefined | false, what: string, maxGatewayMs: number): Promise<T> {
    const limit = this.now + maxGatewayMs;
    let idleSince = Date.now();
    for (;;) {
      await this.settle();
      const found = await this.quietProbe(probe);
      if (found) return found;
      if (await this.fireNext(limit)) {
        idleSince = Date.now();
        continue;
      }
      // No timer left to fire within the bound: only the wire can still answer.
      if (Date.now() - idleSince > IO_DEADLINE_MS) throw new Error(`timed out waiting for ${what} (${maxGatewayMs} ms of gateway time)`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Gives replies already on the wire a moment to arrive before concluding that time must pass. */
  private async quietProbe<T>(probe: () => T | undefined | false): Promise<T | undefined> {
    for (let i = 0; i < 5; i++) {
      const found = probe();
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return undefined;
  }

  /** Fires the earliest live timer due by `limit`; false when there is none. */
  private async fireNext(limit: number): Promise<boolean> {
    this.dropCancelled();
    let next: Pending | undefined;
    for (const t of this.timers) if (!next || t.due < next.due || (t.due === next.due && t.seq < next.seq)) next = t;
    if (!next || next.due > limit) return false;
    this.timers.splice(this.timers.indexOf(next), 1);
    this.now = Math.max(this.now, next.due);
    next.fn();
    await this.settle();
    return true;
  }

  private dropCancelled(): void {
    for (let i = this.timers.length - 1; i >= 0; i--) if (this.timers[i]!.cancelled) this.timers.splice(i, 1);
  }
}

/**
 * Real timers for the deep suite. Gateway timings are scaled down by `scale` (see DEEP_TIMINGS), and so
 * is every duration a command asks for, so one sequence means the same thing at both speeds.
 */
export class RealTime implements TimeControl {
  readonly clock: Clock = systemClock;

  constructor(
    private readonly scale: number,
    private readonly settle: Settle,
    private readonly release: Release,
  ) {}

  async passes(ms: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, Math.round(ms * this.scale)));
    await this.settle();
  }

  pumpUntil<T>(probe: () => T | undefined | false, what: string, maxGatewayMs: number): Promise<T> {
    const timeout = Math.max(IO_DEADLINE_MS, maxGatewayMs * this.scale * 3);
    return waitFor(
      async () => {
        await this.release();
        return probe();
      },
      what,
      timeout,
    );
  }
}
