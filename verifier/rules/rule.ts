import type { LogEvent } from '../classify/log-event.ts';
import type { Finding } from '../types.ts';

/** A rule sees every event in input order and reports its findings at the end. */
export interface Rule {
  readonly name: string;
  observe(ev: LogEvent): void;
  finish(): Finding[];
}

/** The thresholds the built-in rules are judged with (`--window`, `--burst`, `--storm`). */
export interface Thresholds {
  windowMs: number;
  burst: number;
  storm: number;
}
