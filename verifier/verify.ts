import type { LogEvent } from './classify/log-event.ts';
import { VerifyInputError } from './input/input-error.ts';
import type { InputSource } from './input/open-input.ts';
import { readInput } from './read-input.ts';
import { builtInRules, PatternRule } from './rules/index.ts';
import { Timeline } from './timeline.ts';
import { SEVERITIES, type Finding, type InputSummary, type Severity, type VerifyOptions, type VerifyReport } from './types.ts';

/** The defaults of SPEC §7 (`--window 60s --burst 2 --storm 5`). */
export const DEFAULT_OPTIONS: VerifyOptions = {
  format: 'auto',
  windowMs: 60_000,
  burst: 2,
  storm: 5,
  allowEmpty: false,
  userRules: [],
};

/**
 * Reads the inputs one after another (opening each only when its turn comes), runs every rule over
 * their events and builds the report. Throws {@link VerifyInputError} for input it could not read or
 * in which no line was recognised (unless `allowEmpty`): the gate fails closed.
 */
export async function verifyInputs(
  inputs: Iterable<() => Promise<InputSource>>,
  options: VerifyOptions,
): Promise<VerifyReport> {
  const thresholds = { windowMs: options.windowMs, burst: options.burst, storm: options.storm };
  const rules = builtInRules(thresholds);
  const patternRules = options.userRules.map((r) => new PatternRule(r));
  const timeline = new Timeline();
  const onEvent = (ev: LogEvent) => {
    for (const rule of rules) rule.observe(ev);
    timeline.observe(ev);
    options.onEvent?.(ev);
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
  let endTime = Number.NEGATIVE_INFINITY;
  for (const openSource of inputs) {
    const source = await openSource();
    const { summary, lastTime } = await readInput(source, { format: options.format, year, patternRules, onEvent, onBytes });
    if (lastTime !== undefined && lastTime > endTime) endTime = lastTime;
    if (summary.bytes > 0 && summary.recognised === 0 && !options.allowEmpty) {
      throw new VerifyInputError(
        'NO_RECOGNISABLE_LINES',
        source.name,
        `${source.name}: no recognisable log lines (${summary.lines} read); check --format, or pass --allow-empty`,
      );
    }
    summaries.push(summary);
  }
  const recognised = summaries.reduce((n, s) => n + s.recognised, 0);
  if (recognised === 0 && !options.allowEmpty) {
    const name = summaries.map((s) => s.name).join(', ') || '(no input)';
    throw new VerifyInputError('NO_RECOGNISABLE_LINES', name, `${name}: no recognisable log lines; pass --allow-empty to accept empty input`);
  }
  const findings = [...rules.flatMap((r) => r.finish(endTime)), ...patternRules.flatMap((r) => r.finish())];
  return {
    schemaVersion: 1,
    linesRead: sum(summaries, 'lines'),
    linesRecognised: recognised,
    linesUnrecognised: sum(summaries, 'unrecognised'),
    linesTruncated: sum(summaries, 'truncated'),
    inputs: summaries,
    findings: sortFindings(findings),
    timeline: timeline.rows(),
    thresholds,
  };
}

function sum(list: InputSummary[], field: 'lines' | 'unrecognised' | 'truncated'): number {
  return list.reduce((n, s) => n + s[field], 0);
}

function sortFindings(findings: Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => SEVERITIES.indexOf(a.f.severity) - SEVERITIES.indexOf(b.f.severity) || a.i - b.i)
    .map(({ f }) => f);
}

/** Whether any finding is at or above `failOn` (error > warning > info). */
export function failsAt(report: VerifyReport, failOn: Severity): boolean {
  const limit = SEVERITIES.indexOf(failOn);
  return report.findings.some((f) => SEVERITIES.indexOf(f.severity) <= limit);
}
