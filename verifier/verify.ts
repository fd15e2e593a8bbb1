import type { LogEvent } from './classify/log-event.ts';
import { VerifyInputError } from './input/input-error.ts';
import type { InputSource } from './input/open-input.ts';
import { readInput } from './read-input.ts';
import { isRelative, resolveBounds } from './time-bounds.ts';
import { NewFindings } from './new-findings.ts';
import { builtInRules, PatternRule, type Rule } from './rules/index.ts';
import { ruleDocsUrl } from './rules/rule-docs.ts';
import { DEFAULT_THRESHOLDS, thresholdsOf } from './rules/thresholds.ts';
import { ReuseStatistics } from './statistics/reuse-statistics.ts';
import { sumMinutes, Timeline } from './timeline.ts';
import {
  SEVERITIES,
  type ExitCode,
  type Finding,
  type InputGroup,
  type InputSummary,
  type ReportError,
  type ReuseStatistic,
  type RuleSetting,
  type Severity,
  type SkippedInput,
  type Thresholds,
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
  userRules: [],
};

/** The verdict on `log/errors.jsonl` alone covers refusals and errors, never what INFO lines show. */
const ERROR_SINK_ONLY =
  "OpenAlgo's log/errors.jsonl holds ERROR lines only: adapter creation, teardown and churn " +
  '(adapter-burst, multiple-adapters, adapter-churn, zombie-reconnect) cannot be judged from it; verify the full log as well';

/** One input to read: its group (rotations of one log share one) and whether it was named explicitly. */
export interface PlannedInput {
  group: string;
  explicit: boolean;
  open: () => Promise<InputSource>;
}

/** The rules, statistics and timeline of one judged group. */
class Judgement {
  readonly rules: Rule[];
  readonly patternRules: PatternRule[];
  readonly timeline = new Timeline();
  readonly reuse = new ReuseStatistics();
  readonly files: string[] = [];
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
    const on = (rule: string) => settings[rule]?.severity !== 'off';
    this.rules = builtInRules(thresholds, (rule) => ({ ...thresholds, ...settings[rule]?.thresholds }), on);
    this.patternRules = options.userRules.filter((r) => on(r.name)).map((r) => new PatternRule(r));
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
    return found.map((f) => {
      const severity = this.settings[f.rule]?.severity;
      return { ...f, severity: severity && severity !== 'off' ? severity : f.severity, input: this.name, docsUrl: ruleDocsUrl(f.rule) };
    });
  }
}

/**
 * Reads the inputs one after another (opening each only when its turn comes) and judges each group
 * on its own: an input with its rotations, or, with `merge`, all inputs as one process's logs in time
 * order. A file found in a folder or by a glob that holds no log line is skipped with a notice; one
 * named explicitly is an input error ({@link VerifyInputError}), as is input in which nothing at all
 * could be judged (unless `allowEmpty`): the gate fails closed.
 */
export async function verifyInputs(inputs: Iterable<PlannedInput>, options: VerifyOptions): Promise<VerifyReport> {
  const thresholds = thresholdsOf(options);
  if (isRelative(options.since) || isRelative(options.until)) {
    throw new VerifyInputError('NO_INPUT', '', '--since/--until relative to the newest line need files to look ahead in; give an ISO time');
  }
  const window = options.since || options.until ? resolveBounds(options.since, options.until, Number.NaN) : undefined;
  const judgements = new Map<string, Judgement>();
  const judgementOf = (name: string) => {
    let j = judgements.get(name);
    if (!j) {
      j = new Judgement(name, thresholds, options);
      judgements.set(name, j);
    }
    return j;
  };
  let bytes = 0;
  const onBytes = options.onProgress
    ? (n: number) => {
        bytes += n;
        options.onProgress!(bytes);
      }
    : undefined;
  const year = new Date().getUTCFullYear();
  const summaries: InputSummary[] = [];
  const skipped: SkippedInput[] = [];
  // Under --merge, events wait here until every input is read, then reach the rules in time order.
  const mergedEvents: LogEvent[] = [];
  const newFindings = options.onFinding && !options.merge ? new NewFindings(options.onFinding) : undefined;
  for (const planned of inputs) {
    const source = await planned.open();
    const judgement = judgementOf(options.merge ? 'merged' : planned.group === '-' ? source.name : planned.group);
    const { summary, lastTime } = await readInput(source, {
      format: options.format,
      year,
      patternRules: judgement.patternRules,
      window,
      onEvent: options.merge ? (ev) => mergedEvents.push(ev) : (ev) => judgement.observe(ev),
      onBytes: newFindings
        ? (n) => {
            onBytes?.(n);
            newFindings.check(judgement.findings());
          }
        : onBytes,
    });
    summaries.push(summary);
    if (summary.bytes > 0 && summary.recognised === 0 && !options.allowEmpty) {
      const reason = `no recognisable log lines (${summary.lines} read)`;
      if (planned.explicit) {
        throw new VerifyInputError('NO_RECOGNISABLE_LINES', source.name, `${source.name}: ${reason}; check --format, or pass --allow-empty`);
      }
      skipped.push({ file: source.name, reason: `${reason}; skipped` });
      continue;
    }
    judgement.files.push(source.name);
    if (!summary.errorSinkOnly) judgement.hasFullLog = true;
    if (lastTime !== undefined && lastTime > judgement.endTime) judgement.endTime = lastTime;
  }
  if (options.merge) {
    const merged = judgementOf('merged');
    mergedEvents.sort((a, b) => a.time - b.time);
    for (const ev of mergedEvents) merged.observe(ev);
  }
  const judged = [...judgements.values()].filter((j) => j.files.length > 0);
  const recognised = summaries.reduce((n, s) => n + s.recognised, 0);
  if (recognised === 0 && !options.allowEmpty) {
    const name = summaries.map((s) => s.name).join(', ') || '(no input)';
    throw new VerifyInputError('NO_RECOGNISABLE_LINES', name, `${name}: no recognisable log lines; pass --allow-empty to accept empty input`);
  }
  const findings: Finding[] = [];
  const groups: InputGroup[] = [];
  const reuse: ReuseStatistic[] = [];
  for (const j of judged) {
    const found = j.findings();
    findings.push(...found);
    reuse.push(...j.reuse.rows(j.name));
    groups.push({
      name: j.name,
      files: j.files,
      verdict: fails(found, options.failOn) ? 'fail' : 'pass',
      findings: found.length,
      timeline: j.timeline.rows(),
      seconds: j.timeline.secondRows(),
      ...(j.hasFullLog ? {} : { cannotJudge: ERROR_SINK_ONLY }),
    });
  }
  const exitCode: ExitCode = fails(findings, options.failOn) ? 1 : 0;
  return {
    schemaVersion: 2,
    verdict: exitCode === 1 ? 'fail' : 'pass',
    exitCode,
    failOn: options.failOn,
    ...totals(summaries),
    inputs: summaries,
    skipped,
    groups,
    findings: sortFindings(findings),
    timeline: sumMinutes(groups.map((g) => g.timeline)),
    statistics: { reuse },
    thresholds,
    ...(window ? { window: windowSummary(window, summaries) } : {}),
  };
}

function windowSummary(w: { since?: number; until?: number }, summaries: InputSummary[]): NonNullable<VerifyReport['window']> {
  const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());
  return { since: iso(w.since), until: iso(w.until), linesOutside: summaries.reduce((n, s) => n + (s.outsideWindow ?? 0), 0) };
}

/** The report of a run that could not judge (exit 2): every reporter still gets one document. */
export function errorReport(error: ReportError, options: Pick<VerifyOptions, 'failOn' | keyof Thresholds>): VerifyReport {
  return {
    schemaVersion: 2,
    verdict: 'error',
    exitCode: 2,
    failOn: options.failOn,
    error,
    ...totals([]),
    inputs: [],
    skipped: [],
    groups: [],
    findings: [],
    timeline: [],
    statistics: { reuse: [] },
    thresholds: thresholdsOf(options),
  };
}

function totals(list: InputSummary[]) {
  const sum = (field: 'lines' | 'recognised' | 'unrecognised' | 'truncated' | 'undecodable') => list.reduce((n, s) => n + s[field], 0);
  return {
    linesRead: sum('lines'),
    linesRecognised: sum('recognised'),
    linesUnrecognised: sum('unrecognised'),
    linesTruncated: sum('truncated'),
    linesUndecodable: sum('undecodable'),
  };
}

function sortFindings(findings: Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => SEVERITIES.indexOf(a.f.severity) - SEVERITIES.indexOf(b.f.severity) || a.i - b.i)
    .map(({ f }) => f);
}

function fails(findings: readonly Finding[], failOn: Severity): boolean {
  const limit = SEVERITIES.indexOf(failOn);
  return findings.some((f) => SEVERITIES.indexOf(f.severity) <= limit);
}

/** Whether any finding is at or above `failOn` (error > warning > info). */
export function failsAt(report: VerifyReport, failOn: Severity): boolean {
  return fails(report.findings, failOn);
}
