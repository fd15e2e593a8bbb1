/**
 * The verifier's public shapes (SPEC §7): options, findings and the report every reporter renders.
 * The scenario runners call the verifier through these, in-process.
 */

import type { LogEvent } from './classify/log-event.ts';

export type Severity = 'error' | 'warning' | 'info';
export type LogFormat = 'auto' | 'openalgo' | 'pino';

/** Severities from most to least severe; `--fail-on X` fails on X and everything before it. */
export const SEVERITIES = ['error', 'warning', 'info'] as const satisfies readonly Severity[];

export interface VerifyOptions {
  format: LogFormat; // auto
  windowMs: number; // 60_000
  burst: number; // 2
  storm: number; // 5
  allowEmpty: boolean; // false
  /** Extra pattern rules (from `--rules FILE`). */
  userRules: UserRule[];
  /** Called now and then with the bytes read so far (for a progress line). */
  onProgress?: (bytesRead: number) => void;
  /** Sees every event the rules see, in read order (the HTML report's time series). */
  onEvent?: (ev: LogEvent) => void;
}

/** A rule added by pattern from a rules file: fires when `threshold` matching lines fall within `windowMs`. */
export interface UserRule {
  name: string;
  pattern: RegExp;
  windowMs: number;
  threshold: number;
  severity: Severity;
}

export type StormKind = 'many-adapters' | 'runaway-retry';

export interface Finding {
  rule: string;
  severity: Severity;
  message: string;
  count: number;
  /** ISO-8601 timestamps of the first and last line that contributed. */
  first: string;
  last: string;
  user?: string;
  broker?: string;
  /** For storm findings: many adapters (many creations) or one adapter in a runaway retry loop. */
  stormKind?: StormKind;
  /** Up to 5 `file:line` references. */
  evidence: string[];
}

/** What was read from one input (a file, a `.gz` rotation or stdin). */
export interface InputSummary {
  name: string;
  bytes: number;
  lines: number;
  /** Lines that start a log record (a timestamp and a message were found). */
  recognised: number;
  /** Lines that continue the record above (tracebacks, wrapped text). */
  continuation: number;
  unrecognised: number;
  /** Lines longer than 1 MiB: only their first MiB was read. */
  truncated: number;
}

/** One minute of the timeline (`minute` is `YYYY-MM-DDTHH:MM`). */
export interface TimelineMinute {
  minute: string;
  creations: number;
  attempts: number;
  refusals: number;
}

export interface VerifyReport {
  schemaVersion: 1;
  linesRead: number;
  linesRecognised: number;
  linesUnrecognised: number;
  linesTruncated: number;
  inputs: InputSummary[];
  findings: Finding[];
  timeline: TimelineMinute[];
  /** The thresholds the report was judged with. */
  thresholds: { windowMs: number; burst: number; storm: number };
}
