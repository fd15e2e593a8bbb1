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
      this.thaw = new Promise<void>((resolve) => this.clock.after(end - this.clock.now(), () => resolve())).then(() => this.thawed());
    }
    return this.thaw;
  }

  /** Resolves once no freeze is in force. */
  async thawed(): Promise<void> {
    while (this.clock.now() < this.until) await this.thaw;
  }
}
