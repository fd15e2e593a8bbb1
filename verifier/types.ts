/**
 * The verifier's public shapes (docs/verify.md): options, findings and the report every reporter renders.
 * The scenario runners call the verifier through these, in-process.
 */

import type { LogEvent } from './classify/log-event.ts';
import type { LogFormat } from './parse/parse-line.ts';
import type { TimeBound } from './time-bounds.ts';

export type { LogFormat };

export type Severity = 'error' | 'warning' | 'info';

/** Severities from most to least severe; `--fail-on X` fails on X and everything before it. */
export const SEVERITIES = ['error', 'warning', 'info'] as const satisfies readonly Severity[];

/**
 * The thresholds the built-in rules are judged with, each declared once with its name and default in
 * verifier/rules/thresholds.ts (docs/rules.md#thresholds).
 */
export interface Thresholds {
  windowMs: number;
  burst: number;
  storm: number;
  stormSpanMs: number;
  refusalPairMs: number;
  retryFloorMs: number;
  refusalRate: number;
  tokensPerConnection: number;
  answerMs: number;
  unanswered: number;
  churn: number;
  zombieReconnect: number;
  forcedReconnect: number;
  forcedReconnectSpanMs: number;
  staleFeed: number;
  eventLoopStall: number;
}

/** The options of a run; the thresholds default to those of verifier/rules/thresholds.ts. */
export interface VerifyOptions extends Thresholds {
  format: LogFormat; // auto
  /** Judge all inputs as one process's logs, ordered by time, instead of each on its own. */
  merge: boolean; // false
  /** The severity from which findings fail the run (`--fail-on`); decides `verdict` and `exitCode`. */
  failOn: Severity; // error
  allowEmpty: boolean; // false
  /**
   * Judge what could be read when something inside a folder or glob could not (`--skip-unreadable`);
   * without it such a run exits 2, whatever the rest shows.
   */
  skipUnreadable: boolean; // false
  /** Extra pattern rules (from `--rules FILE`). */
  userRules: UserRule[];
  /** `--since`/`--until`: judge only records in this window; a relative bound counts back from the newest line. */
  since?: TimeBound;
  until?: TimeBound;
  /** Per rule, by name: off, another severity, or thresholds of its own (the config file's `rules`). */
  ruleSettings?: Record<string, RuleSetting>;
  /** Called now and then with the bytes read so far (for a progress line). */
  onProgress?: (bytesRead: number) => void;
  /**
   * Called while reading, after each chunk, with each finding that newly appears (a rule newly firing
   * for a subject, or a finding turning more severe); `--follow` prints them as they appear. Not under
   * `merge`, whose rules see the events only after every input is read.
   */
  onFinding?: (finding: Finding) => void;
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

/** Concurrent adapters, sequential teardown/recreate cycles, or one adapter's runaway retry loop. */
export type StormKind = 'many-adapters' | 'churn' | 'runaway-retry';

/** A line behind a finding. */
export interface Evidence {
  file: string;
  line: number;
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
  stormKind?: StormKind;
  /** The input (or, with `--merge`, the merged group) the finding was judged in. */
  input: string;
  /** Up to 5 of the lines behind it, earliest first. */
  evidence: Evidence[];
  /** Its rule's documentation: docs/rules.md#<rule> at the installed version's tag. */
  docsUrl: string;
}

/** A finding as a rule reports it; the verifier adds the input it was judged in and its docs. */
export type RuleFinding = Omit<Finding, 'input' | 'docsUrl'>;

/** A config file's word on one rule: switched off, re-graded, or judged with its own thresholds. */
export interface RuleSetting {
  severity?: Severity | 'off';
  thresholds?: Partial<Thresholds>;
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
  /** Lines that are not valid UTF-8: read with U+FFFD in place of the bad bytes. */
  undecodable: number;
  /** Under `--follow`: the rotations seen while following. */
  rotations?: Rotation[];
  /** With `--since`/`--until`: lines of records outside the window, read but not judged. */
  outsideWindow?: number;
  /** Every record read came from OpenAlgo's `log/errors.jsonl` (ERROR and above only). */
  errorSinkOnly?: true;
}

/** A followed file replaced (renamed, or deleted and recreated) or truncated (copytruncate). */
export interface Rotation {
  kind: 'replaced' | 'truncated';
  /** Bytes read before it. */
  afterBytes: number;
  /** Lines written just before a truncation are only in the rotated copy, which is not read. */
  mayHaveMissedLines: boolean;
}

/** One minute of the timeline (`minute` is `YYYY-MM-DDTHH:MM`). */
export interface TimelineMinute {
  minute: string;
  creations: number;
  attempts: number;
  refusals: number;
  teardowns: number;
  /** Present when the row spans more than one minute (a long log's timeline is coarsened to stay bounded). */
  widthMinutes?: number;
}

/** One second of one subject's events, for a drawn timeline; `first` is its earliest line. */
export interface TimelineSecond {
  /** `YYYY-MM-DDTHH:MM:SS` */
  second: string;
  user?: string;
  broker?: string;
  creations: number;
  attempts: number;
  refusals: number;
  teardowns: number;
  first: Evidence;
  /** Present when the row spans more than one second (a long log's timeline is coarsened to stay bounded). */
  widthSeconds?: number;
  /** Present when the row sums the subjects beyond the first 100, which are not drawn one by one. */
  otherSubjects?: true;
}

/** Adapter creations against reuses of one subject: a statistic, not a finding. */
export interface ReuseStatistic {
  input: string;
  user?: string;
  broker?: string;
  creations: number;
  reuses: number;
  /** Present on the one row that sums the subjects past the first 1,000 (counted, not listed). */
  otherSubjects?: true;
}

/** What one judged group (an input and its rotations, or all inputs under `--merge`) holds. */
export interface InputGroup {
  name: string;
  files: string[];
  verdict: 'pass' | 'fail';
  findings: number;
  timeline: TimelineMinute[];
  seconds: TimelineSecond[];
  /** What this group's lines cannot show, so its verdict does not cover it. */
  cannotJudge?: string;
}

/** A found file that was not judged: it held no recognisable log line. */
export interface SkippedInput {
  file: string;
  reason: string;
}

/** Something the run was asked to judge and could not read (wholly or in part), with why. */
export interface UnreadableInput {
  file: string;
  reason: string;
}

/** What a report's limits left out of its lists, counted (verifier/bounded-report.ts sets the limits). */
export interface OmittedCounts {
  inputs: number;
  groups: number;
  skipped: number;
  findings: number;
  reuse: number;
}

/** `pass` exit 0, `fail` exit 1 (findings at or above `failOn`), `error` exit 2 (nothing could be judged). */
export type Verdict = 'pass' | 'fail' | 'error';
export type ExitCode = 0 | 1 | 2;

/** Why the run could not judge: the report then carries no findings. */
export interface ReportError {
  code: string;
  file: string;
  message: string;
}

export interface VerifyReport {
  schemaVersion: 2;
  verdict: Verdict;
  exitCode: ExitCode;
  failOn: Severity;
  error?: ReportError;
  linesRead: number;
  linesRecognised: number;
  linesUnrecognised: number;
  linesTruncated: number;
  linesUndecodable: number;
  /** Every input read, judged or skipped. */
  inputs: InputSummary[];
  /** Inputs found in a folder or by a glob that held no log line, each with a notice. */
  skipped: SkippedInput[];
  /**
   * What could not be read: an entry of a folder or glob (permission, dangling link, loop, name too
   * long), or a file that shrank while it was read. Listed up to a cap; `unreadableCount` counts all.
   * Without `--skip-unreadable` any of them makes the verdict `error`.
   */
  unreadable: UnreadableInput[];
  unreadableCount: number;
  /** What was judged together: each input with its rotations, or everything under `--merge`. */
  groups: InputGroup[];
  /** The findings, most severe first: at most 1,000 (`omitted.findings` counts the rest). */
  findings: Finding[];
  /** Every finding of the run by severity, listed or not. */
  findingCounts: Record<Severity, number>;
  /** What the report's limits left out of its lists, counted: memory stays bounded whatever the input. */
  omitted: OmittedCounts;
  /** Per minute, over all groups. */
  timeline: TimelineMinute[];
  statistics: { reuse: ReuseStatistic[] };
  /** The thresholds the report was judged with. */
  thresholds: Thresholds;
  /** With `--since`/`--until`: the window judged (ISO) and the lines left out of it. */
  window?: { since?: string; until?: string; linesOutside: number };
  /** With `--baseline`: the findings its entries suppress, which no longer decide the verdict. */
  suppressed?: Finding[];
  /** With `--baseline`: what the baseline did. */
  baseline?: BaselineSummary;
}

/** One accepted finding in a baseline file; `expires` (`YYYY-MM-DD`) is the last day it suppresses. */
export interface BaselineEntry {
  rule: string;
  user?: string;
  broker?: string;
  /** Stable across runs: no line numbers, times or counts go into it. */
  fingerprint: string;
  expires?: string;
}

/** What a baseline did in one run. */
export interface BaselineSummary {
  file: string;
  entries: number;
  suppressed: number;
  /** Entries past their date that matched a finding: it fails again. */
  expired: BaselineEntry[];
  /** Entries that matched no finding. */
  unused: BaselineEntry[];
  /** `--strict-baseline`: unused entries fail the run. */
  strict: boolean;
}
