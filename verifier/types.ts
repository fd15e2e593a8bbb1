/**
 * The verifier's public shapes (SPEC §7): options, findings and the report every reporter renders.
 * The scenario runners call the verifier through these, in-process.
 */

export type Severity = 'error' | 'warning' | 'info';
export type LogFormat = 'auto' | 'openalgo' | 'pino';

export interface VerifyOptions {
  format: LogFormat; // auto
  windowMs: number; // 60_000
  burst: number; // 2
  storm: number; // 5
  allowEmpty: boolean; // false
}

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
  stormKind?: 'many-adapters' | 'runaway-retry';
  /** Up to 5 `file:line` references. */
  evidence: string[];
}

export interface VerifyReport {
  schemaVersion: 1;
  linesRead: number;
  linesRecognised: number;
  findings: Finding[];
}
