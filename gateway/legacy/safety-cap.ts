import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import { LegacyLogEvent } from './openalgo-log.ts';

/**
 * Not part of the bug: a bound on the legacy models so a demo machine survives the runaway. The real
 * 2025-11 storm ran at about 650 attempts/s and never stopped; the cap lets it reach that rate and only
 * holds it under `maxAttemptsPerSecond`, and ends all dialling once a runaway (a second with more than
 * `runawayPerSecond` attempts) has lasted `maxRunawayMs`.
 */
export interface SafetyCapLimits {
  maxAttemptsPerSecond: number;
  runawayPerSecond: number;
  maxRunawayMs: number;
}

export const DEFAULT_SAFETY_CAP: SafetyCapLimits = { maxAttemptsPerSecond: 1000, runawayPerSecond: 50, maxRunawayMs: 60_000 };

const WINDOW_MS = 1000;

/** One per gateway: every legacy adapter's dials pass through `permit` (real time, never scaled). */
export class SafetyCap {
  private windowStart = 0;
  private inWindow = 0;
  private runawaySince: number | undefined;
  private stopped = false;
  private rateHit = false;
  private readonly waiting = new Set<() => void>();

  constructor(
    private readonly limits: SafetyCapLimits,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Resolves true when a dial may go ahead now, false once the cap has stopped all dialling. */
  async permit(): Promise<boolean> {
    for (;;) {
      if (this.stopped) return false;
      const now = this.clock.now();
      if (now - this.windowStart >= WINDOW_MS) {
        this.windowStart = now;
        this.inWindow = 0;
      }
      if (this.runawaySince !== undefined && now - this.runawaySince >= this.limits.maxRunawayMs) {
        this.stop(`a runaway of more than ${this.limits.runawayPerSecond} attempts/s lasted ${this.limits.maxRunawayMs / 1000} s; all legacy dialling stops`);
        return false;
      }
      if (this.inWindow < this.limits.maxAttemptsPerSecond) {
        this.inWindow += 1;
        if (this.inWindow > this.limits.runawayPerSecond) this.runawaySince ??= now;
        return true;
      }
      if (!this.rateHit) {
        this.rateHit = true;
        this.log.warn(
          { event: LegacyLogEvent.safetyCap, limit: 'rate', maxAttemptsPerSecond: this.limits.maxAttemptsPerSecond },
          `Legacy safety cap hit: more than ${this.limits.maxAttemptsPerSecond} connection attempts in one second; further attempts wait for the next second`,
        );
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiting.delete(wake);
          resolve();
        };
        this.waiting.add(wake);
        this.clock.after(this.windowStart + WINDOW_MS - now, wake);
      });
    }
  }

  /** Gateway shutdown: wakes and refuses every waiting dial. */
  close(): void {
    this.stopped = true;
    for (const wake of [...this.waiting]) wake();
  }

  private stop(reason: string): void {
    this.stopped = true;
    this.log.warn({ event: LegacyLogEvent.safetyCap, limit: 'time', maxRunawayMs: this.limits.maxRunawayMs }, `Legacy safety cap hit: ${reason}`);
    for (const wake of [...this.waiting]) wake();
  }
}
