import type { Clock, Timer } from '../clock.ts';

/**
 * SmartWebSocketV2's data-stall health check at 2026-08: when no market data arrived for `DATA_TIMEOUT`
 * (90 s) it forces a reconnect. Pongs do not count as data, so a quiet feed (nothing subscribed, or a
 * closed market) is torn down and rebuilt every 90–130 s.
 */
export const STALL_WATCHDOG = { dataTimeoutMs: 90_000, checkEveryMs: 10_000 } as const;

export class StallWatchdog {
  private lastData = 0;
  private timer: Timer | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly onStall: (silentMs: number) => void,
  ) {}

  /** The socket opened: silence is counted from now. */
  start(): void {
    this.stop();
    this.lastData = this.clock.now();
    this.arm();
  }

  /** Market data arrived (not a pong). */
  fed(): void {
    this.lastData = this.clock.now();
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private arm(): void {
    this.timer = this.clock.after(STALL_WATCHDOG.checkEveryMs, () => {
      const silent = this.clock.now() - this.lastData;
      if (silent >= STALL_WATCHDOG.dataTimeoutMs) {
        this.timer = undefined;
        this.onStall(silent);
        return;
      }
      this.arm();
    });
  }
}
