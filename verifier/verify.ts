import type { LogEvent } from './classify/log-event.ts';
import { VerifyInputError } from './input/input-error.ts';
import type { InputSource } from './input/open-input.ts';
import { printableName } from './printable-name.ts';
import { readInput } from './read-input.ts';
import { isRelative, resolveBounds } from './time-bounds.ts';
import { NewFindings } from './new-findings.ts';
import { PatternRule, type Rule } from './rules/index.ts';
import { configuredRules, configuredSeverity, ruleIsOn } from './rules/configured-rules.ts';
import { ruleDocsUrl } from './rules/rule-docs.ts';
import { DEFAULT_THRESHOLDS, thresholdsOf } from './rules/thresholds.ts';
import { ReuseStatistics } from './statistics/reuse-statistics.ts';
import { Timeline } from './timeline.ts';
import { TimeOrderedEvents } from './time-ordered-events.ts';
import { BoundedReport, REPORT_LIMITS } from './bounded-report.ts';
import {
  SEVERITIES,
  type ExitCode,
  type Finding,
  type ReportError,
  type RuleSetting,
  type Severity,
  type Thresholds,
  type UnreadableInput,
  type VerifyOptions,
  type VerifyReport,
} from './types.ts';

/** The defaults of docs/verify.md#options and docs/rules.md#thresholds. */
export const DEFAULT_OPTIONS: VerifyOptions = {
  format: 'auto',
  merge: false,
  failOn: 'error',
  ...DEFAULT_THRESHOLDS,
  allowEmpty: false,
  skipUnreadable: false,
  userRules: [],
};

/** The verdict on `log/errors.jsonl` alone covers refusals and errors, never what INFO lines show. */
const ERROR_SINK_ONLY =
  "OpenAlgo's log/errors.jsonl holds ERROR lines only: adapter creation, teardown and churn " +
  '(adapter-burst, multiple-adapters, adapter-churn, zombie-reconnect) cannot be judged from it; verify the full log as well';

/** Unreadable entries listed in a report; beyond this many they are only counted (a walk may find millions). */
export const MAX_UNREADABLE_LISTED = 100;

/**
 * One input to read: its group (rotations of one log share one), whether it was named explicitly,
 * and whether it is the group's last (then the group is judged, and its rules let go, once it is read).
 */
export interface PlannedInput {
  group: string;
  explicit: boolean;
  endsGroup: boolean;
  open: () => Promise<InputSource>;
}

/** An entry found in a folder or by a glob that could not be read, met while the inputs are walked. */
export interface UnreadableFound {
  unreadable: UnreadableInput;
}

/** The rules, statistics and timeline of one judged group. */
class Judgement {
  readonly rules: Rule[];
  readonly patternRules: PatternRule[];
  readonly timeline = new Timeline();
  readonly reuse = new ReuseStatistics();
  /** The first files judged in it, for the report; `judgedFiles` counts them all. */
  readonly files: string[] = [];
  judgedFiles = 0;
  private readonly onEvent: VerifyOptions['onEvent'];
  private readonly settings: Record<string, RuleSetting>;
  endTime = Number.NEGATIVE_INFINITY;
  /** Whether any input of the group is more than OpenAlgo's `log/errors.jsonl`. */
  hasFullLog = false;

  constructor(
    readonly name: string,
    thresholds: Thresholds,
    options: VerifyOptions,
  ) {
    const settings = (this.settings = options.ruleSettings ?? {});
    this.rules = configuredRules(thresholds, settings);
    this.patternRules = options.userRules.filter((r) => ruleIsOn(r.name, settings)).map((r) => new PatternRule(r));
    this.onEvent = options.onEvent;
  }

  observe(ev: LogEvent): void {
    // A snapshot of the findings taken mid-read judges up to the last event seen.
    if (ev.time > this.endTime) this.endTime = ev.time;
    for (const rule of this.rules) rule.observe(ev);
    this.timeline.observe(ev);
    this.reuse.observe(ev);
    this.onEvent?.(ev);
  }

  findings(): Finding[] {
    const found = [...this.rules.flatMap((r) => r.finish(this.endTime)), ...this.patternRules.flatMap((r) => r.finish())];
    return found.map((f) => ({ ...f, severity: configuredSeverity(f, this.settings), input: this.name, docsUrl: ruleDocsUrl(f.rule) }));
  }
}

/**
 * Reads the inputs one after another (opening each only when its turn comes) and judges each group
 * on its own: an input with its rotations, or, with `merge`, all inputs as one process's logs in time
 * order. A file found in a folder or by a glob that holds no log line is skipped with a notice; one
 * named explicitly is an input error ({@link VerifyInputError}), as is input in which nothing at all
 * could be judged (unless `allowEmpty`): the gate fails closed.
 */
export async function verifyInputs(inputs: Iterable<PlannedInput> | AsyncIterable<PlannedInput | UnreadableFound>, options: VerifyOptions): Promise<VerifyReport> {
  const thresholds = thresholdsOf(options);
  if (isRelative(options.since) || isRelative(options.until)) {
    throw new VerifyInputError('NO_INPUT', '', '--since/--until relative to the newest line need files to look ahead in; give an ISO time');
  }
  const window = options.since || options.until ? resolveBounds(options.since, options.until, Number.NaN) : undefined;
  const groupOf = (p: PlannedInput) => (options.merge ? 'merged' : p.group);
  const judgements = new Map<string, Judgement>();
  const out = new BoundedReport();
  const unreadable: UnreadableInput[] = [];
  let unreadableCount = 0;
  const cannotRead = (entry: UnreadableInput) => {
    unreadableCount++;
    if (unreadable.length < MAX_UNREADABLE_LISTED) unreadable.push(entry);
  };
  let bytes = 0;
  const onBytes = options.onProgress
    ? (n: number) => {
        bytes += n;
        options.onProgress!(bytes);
      }
    : undefined;
  const year = new Date().getUTCFullYear();
  // Under --merge, events wait here until every input is read, then reach the rules in time order.
  const mergedEvents = new TimeOrderedEvents();
  const newFindings = options.onFinding && !options.merge ? new NewFindings(options.onFinding) : undefined;
  const finishGroup = (key: string) => {
    const j = judgements.get(key);
    judgements.delete(key);
    if (!j || j.judgedFiles === 0) return;
    if (options.merge) {
      for (const ev of mergedEvents.drain()) j.observe(ev);
    }
    const found = j.findings();
    out.addGroup(
      {
        name: j.name,
        files: j.files,
        verdict: fails(found, options.failOn) ? 'fail' : 'pass',
        findings: found.length,
        timeline: j.timeline.rows(),
        seconds: j.timeline.secondRows(),
        ...(j.hasFullLog ? {} : { cannotJudge: ERROR_SINK_ONLY }),
      },
      found,
      j.reuse.rows(j.name),
    );
  };
  // A group is judged, and its rules let go, as soon as its last input is read: 100,000 files hold one at a time.
  for await (const input of inputs) {
    if ('unreadable' in input) {
      cannotRead(input.unreadable);
      continue;
    }
    const key = groupOf(input);
    try {
      await readPlanned(input, key);
    } finally {
      if (input.endsGroup && !options.merge) finishGroup(key);
    }
  }
  for (const key of [...judgements.keys()]) finishGroup(key);
  if (out.totals.recognised === 0 && !options.allowEmpty) {
    const name = out.inputs.map((s) => printableName(s.name)).join(', ') || '(no input)';
    throw new VerifyInputError('NO_RECOGNISABLE_LINES', name, `${name}: no recognisable log lines; pass --allow-empty to accept empty input`);
  }
  const judgedExit: ExitCode = SEVERITIES.some((s) => out.findingCounts[s] > 0 && atOrAbove(s, options.failOn)) ? 1 : 0;
  // Fail closed: what went unread could hold the storm, so the run judges nothing unless told to skip it.
  const unjudged = unreadableCount > 0 && !options.skipUnreadable;
  const exitCode: ExitCode = unjudged ? 2 : judgedExit;
  return {
    schemaVersion: 2,
    verdict: unjudged ? 'error' : exitCode === 1 ? 'fail' : 'pass',
    exitCode,
    failOn: options.failOn,
    ...(unjudged ? { error: unreadableError(unreadable, unreadableCount) } : {}),
    linesRead: out.totals.lines,
    linesRecognised: out.totals.recognised,
    linesUnrecognised: out.totals.unrecognised,
    linesTruncated: out.totals.truncated,
    linesUndecodable: out.totals.undecodable,
    inputs: out.inputs,
    skipped: out.skipped,
    unreadable,
    unreadableCount,
    groups: out.groups,
    findings: out.sortedFindings(),
    findingCounts: out.findingCounts,
    omitted: out.omitted,
    timeline: out.timeline(),
    statistics: { reuse: out.reuse },
    thresholds,
    ...(window ? { window: windowSummary(window, out.outsideWindow) } : {}),
  };

  async function readPlanned(input: PlannedInput, key: string): Promise<void> {
    let source: InputSource;
    try {
      source = await input.open();
    } catch (err) {
      // A file named on the command line stops the run; one found in a folder or by a glob is listed.
      if (input.explicit || !(err instanceof VerifyInputError)) throw err;
      cannotRead({ file: err.file, reason: err.reason });
      return;
    }
    let judgement = judgements.get(key);
    if (!judgement) {
      judgement = new Judgement(options.merge ? 'merged' : input.group === '-' ? source.name : input.group, thresholds, options);
      judgements.set(key, judgement);
    }
    const j = judgement;
    const tellNew = newFindings ? () => newFindings.check(j.findings()) : undefined;
    const { summary, lastTime, shrunk } = await readInput(source, {
      format: options.format,
      year,
      patternRules: j.patternRules,
      window,
      onEvent: options.merge ? (ev) => mergedEvents.add(ev) : (ev) => j.observe(ev),
      onBytes: tellNew
        ? (n) => {
            onBytes?.(n);
            tellNew();
          }
        : onBytes,
      onReleased: tellNew,
    });
    out.addInput(summary);
    if (shrunk !== undefined) cannotRead({ file: source.name, reason: shrunk });
    if (summary.bytes > 0 && summary.recognised === 0 && !options.allowEmpty) {
      const reason = `no recognisable log lines (${summary.lines} read)`;
      if (input.explicit) {
        throw new VerifyInputError('NO_RECOGNISABLE_LINES', source.name, `${printableName(source.name)}: ${reason}; check --format, or pass --allow-empty`);
      }
      out.addSkipped({ file: source.name, reason: `${reason}; skipped` });
      return;
    }
    if (j.files.length < REPORT_LIMITS.inputs) j.files.push(source.name);
    j.judgedFiles++;
    if (!summary.errorSinkOnly) j.hasFullLog = true;
    if (lastTime !== undefined && lastTime > j.endTime) j.endTime = lastTime;
  }
}

function windowSummary(w: { since?: number; until?: number }, linesOutside: number): NonNullable<VerifyReport['window']> {
  const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());
  return { since: iso(w.since), until: iso(w.until), linesOutside };
}

/** The report of a run that could not judge (exit 2): every reporter still gets one document. */
export function errorReport(error: ReportError, options: Pick<VerifyOptions, 'failOn' | keyof Thresholds>): VerifyReport {
  return {
    schemaVersion: 2,
    verdict: 'error',
    exitCode: 2,
    failOn: options.failOn,
    error,
    linesRead: 0,
    linesRecognised: 0,
    linesUnrecognised: 0,
    linesTruncated: 0,
    linesUndecodable: 0,
    inputs: [],
    skipped: [],
    unreadable: [],
    unreadableCount: 0,
    groups: [],
    findings: [],
    findingCounts: { error: 0, warning: 0, info: 0 },
    omitted: { inputs: 0, groups: 0, skipped: 0, findings: 0, reuse: 0 },
    timeline: [],
    statistics: { reuse: [] },
    thresholds: thresholdsOf(options),
  };
}

function unreadableError(listed: readonly UnreadableInput[], count: number): ReportError {
  const first = listed[0];
  const more = count > 1 ? ` and ${count - 1} more` : '';
  return {
    code: 'UNREADABLE',
    file: first.file,
    message: `cannot judge: ${printableName(first.file)} could not be read (${first.reason})${more}; fix the access, or pass --skip-unreadable to judge the rest`,
  };
}

function fails(findings: readonly Finding[], failOn: Severity): boolean {
  return findings.some((f) => atOrAbove(f.severity, failOn));
}

function atOrAbove(severity: Severity, failOn: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(failOn);
}

/** Whether any finding is at or above `failOn` (error > warning > info). */
export function failsAt(report: VerifyReport, failOn: Severity): boolean {
  return fails(report.findings, failOn);
}
