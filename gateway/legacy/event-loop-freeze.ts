import type { Clock } from '../clock.ts';

/**
 * OpenAlgo 2026-08 disconnects an adapter from inside the proxy's asyncio event loop, and `disconnect()`
 * joins the connect thread for up to 5 s (`THREAD_JOIN_TIMEOUT`). While the SDK sleeps in its retry the
 * join waits the whole timeout, and the proxy answers nobody meanwhile. Node cannot block like that
 * without stalling the test rig too, so the registry holds every authenticate and release behind this gate
 * instead: the clients see the same wait.
 */
export class EventLoopFreeze {
  private until = 0;
  private thaw: Promise<void> = Promise.resolve();

  constructor(private readonly clock: Clock) {}

  /** Freezes for `ms` (already scaled) from now; resolves when the freeze ends. */
  block(ms: number): Promise<void> {
    const end = this.clock.now() + ms;
    if (end > this.until) {
      this.until = end;
      this.thaw = this.reach(end).then(() => this.thawed());
    }
    return this.thaw;
  }

  /**
   * Resolves once the clock reads `end`. A timer may fire a little early by the clock (a scaled clock
   * rounds, Node's timers run against Date.now), so an early wake-up sleeps again: taken for the end, it
   * left thawed() awaiting the very promise it was resolving, and the proxy frozen for good.
   */
  private reach(end: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = (): void => {
        const left = end - this.clock.now();
        if (left > 0) this.clock.after(left, wake);
        else resolve();
      };
      wake();
    });
  }

  /** Resolves once no freeze is in force. */
  async thawed(): Promise<void> {
    while (this.clock.now() < this.until) await this.thaw;
  }
}
