import type { Clock, Timer } from '../../contract/clock.ts';

/**
 * How long a followed log must stay quiet before a line held for its partner is let through. Python's
 * logging writes the two lines of one refusal within microseconds, so they arrive in one read or in
 * reads a poll apart (250 ms); a second is ample, and still tells a storm's last refusal at once.
 */
export const HELD_LINE_GRACE_MS = 1_000;

/**
 * Watches a followed input for quiet spells while lines are held: once no line the classifier reads has
 * arrived for the grace, and again every grace while something is still held, asks `release` (given how
 * long it has been quiet) to let through what can no longer pair; `release` answers whether anything is
 * still held. Lines no rule reads (ticks, heartbeats) do not count: a busy log is quiet for the pairing.
 */
export class QuietWatch {
  private lastArrival = 0;
  private timer: Timer | undefined;

  constructor(
    private readonly release: (quietMs: number) => boolean,
    private readonly clock: Clock,
  ) {}

  /** Lines the classifier reads have arrived; `holding` tells whether one of them, or one before, is held. */
  arrived(holding: boolean): void {
    this.lastArrival = this.clock.now();
    this.stop();
    if (holding) this.arm();
  }

  /** Cancels the wait; at the input's end, the end itself lets through whatever is held. */
  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private arm(): void {
    this.timer = this.clock.after(HELD_LINE_GRACE_MS, () => {
      this.timer = undefined;
      if (this.release(this.clock.now() - this.lastArrival)) this.arm();
    });
  }
}
