import type { LogEvent } from '../classify/log-event.ts';
import type { RuleFinding } from '../types.ts';

export type { Thresholds } from '../types.ts';

/** A rule sees every event in input order and reports its findings at the end. */
export interface Rule {
  readonly name: string;
  observe(ev: LogEvent): void;
  /** `endTime`: the time of the last record read, which may be later than the last event. */
  finish(endTime: number): RuleFinding[];
}

