import { baselineLine } from '../../baseline/baseline-text.ts';
import { subjectKey } from '../../classify/log-event.ts';
import type { EventSeries, SubjectSeries } from '../../timeseries/event-series.ts';
import { EVENT_SERIES, type EventSeriesField } from '../../timeseries/event-series.ts';
import { IDLE_GAP_MS, KEPT_IDLE_MS, toAxis } from '../../timeseries/bucket-store.ts';
import type { Finding, Severity, VerifyReport } from '../../types.ts';
import { ruleCounts } from '../rule-counts.ts';
import { evidenceRef } from './evidence-lines.ts';
import type { EvidenceLine, PageChart, PageModel, PageRange } from './page-model.ts';

/** Charts beyond this many users × brokers would make the page slow to open; the rest are named in a note. */
const MAX_CHARTS = 24;

export interface VerifyPageInput {
  report: VerifyReport;
  series: EventSeries;
  failOn: Severity;
  /** Evidence text by `file:line`, from {@link readEvidenceLines}. */
  evidence: Map<string, EvidenceLine>;
}

/** The page for `verify`: the verdict and rule counts, then one chart per user × broker with its findings. */
export function verifyPage({ report, series, failOn, evidence }: VerifyPageInput): PageModel {
  const x = series.x.map((ms) => ms / 1000);
  const bucketSeconds = series.bucketMs / 1000;
  const shown = series.subjects.slice(0, MAX_CHARTS);
  const charts = shown.map((s): PageChart => ({
    title: chartTitle(s),
    x,
    bucketSeconds,
    series: (Object.keys(EVENT_SERIES) as EventSeriesField[]).map((f) => ({
      label: EVENT_SERIES[f].label,
      kind: EVENT_SERIES[f].combine === 'level' ? 'level' : 'rate',
      values: s.values[f],
    })),
    ranges: [],
  }));
  const unplaced: Finding[] = [];
  for (const f of report.findings) {
    const i = shown.findIndex((s) => s.subject === subjectKey(f));
    const range = findingRange(f, series, x, bucketSeconds, evidence);
    if (i >= 0) charts[i].ranges.push(range);
    else unplaced.push(f);
  }
  // A finding the log attributes to no charted subject (a broker-wide rule, a user rule) belongs to the whole run.
  for (const f of unplaced) for (const c of charts) c.ranges.push(findingRange(f, series, x, bucketSeconds, evidence));
  const notes = [
    series.axis === 'order'
      ? 'Every event in this log has the same timestamp, so the charts are drawn by the order of the log lines, not by time.'
      : `Times are UTC; each point is a ${describeBucket(bucketSeconds)} bucket, rates are per second, adapters alive is a dashed step line on the right axis.`,
    'Findings are the bars along the top of a chart (red error, amber warning, blue info); click one, or its button, for its evidence lines.',
    'Clients connected are not drawn: application logs do not record them.',
  ];
  for (const g of report.groups) if (g.cannotJudge) notes.push(`${g.name}: ${g.cannotJudge}`);
  if (series.breaks.length > 0) {
    const longest = Math.max(...series.breaks.map((b) => b.hiddenMs));
    notes.push(
      `${series.breaks.length} idle stretch(es) longer than ${IDLE_GAP_MS / 60_000} min are cut short to about ${KEPT_IDLE_MS / 60_000} min ` +
        `(the longest hid ${durationWords(longest)}), each marked by a dashed line: the busy minutes keep their resolution, and times stay true.`,
    );
  }
  if (series.subjects.length > shown.length) {
    notes.push(`${series.subjects.length - shown.length} more user × broker subject(s) with fewer events are not charted: ${series.subjects
      .slice(MAX_CHARTS, MAX_CHARTS + 10)
      .map((s) => s.subject)
      .join(', ')}${series.subjects.length > MAX_CHARTS + 10 ? ', …' : ''}.`);
  }
  const failed = report.verdict !== 'pass';
  const errors = report.findings.filter((f) => f.severity === 'error').length;
  return {
    title: 'stormcheck verify',
    summary: {
      verdict: report.error
        ? `ERROR: ${report.error.message}`
        : failed
          ? `FAIL: ${report.findings.length} finding(s), ${errors} error(s) (fails at ${failOn})`
          : `PASS: ${report.findings.length} finding(s), none at or above ${failOn}`,
      tone: failed ? 'fail' : 'pass',
      facts: [
        `${report.linesRead} lines from ${report.inputs.length} input(s): ${report.inputs.map((i) => i.name).join(', ')}`,
        `${report.linesRecognised} records, ${report.linesUnrecognised} unrecognised, ${report.linesTruncated} truncated, ${report.linesUndecodable} undecodable`,
        `thresholds: window ${report.thresholds.windowMs / 1000} s, burst ${report.thresholds.burst}, storm ${report.thresholds.storm}`,
        ...(report.baseline ? [baselineLine(report.baseline)] : []),
        ...(report.unreadableCount > 0 ? [`${report.unreadableCount} unreadable skipped (--skip-unreadable): the verdict covers only what was read`] : []),
      ],
      ruleCounts: ruleCounts(report.findings),
      stormKinds: [...new Set(report.findings.flatMap((f) => (f.stormKind ? [f.stormKind] : [])))],
    },
    axis: series.axis,
    ...(series.breaks.length > 0 ? { breaks: series.breaks.map((b) => ({ x: b.atMs / 1000, hiddenSeconds: b.hiddenMs / 1000 })) } : {}),
    notes,
    columns: [{ charts }],
  };
}

function chartTitle(s: SubjectSeries): string {
  const who = [s.user !== undefined ? `user ${s.user}` : undefined, s.broker !== undefined ? `broker ${s.broker}` : undefined].filter(Boolean);
  return who.length > 0 ? who.join(' × ') : s.subject;
}

function findingRange(f: Finding, series: EventSeries, x: number[], bucketSeconds: number, evidence: Map<string, EvidenceLine>): PageRange {
  const whole = x.length > 0 ? [x[0], x[x.length - 1] + bucketSeconds] : [0, 1];
  const [from, to] = series.axis === 'order' ? whole : [f.first, f.last].map((t) => toAxis(series.breaks, Date.parse(t)) / 1000);
  const who = [f.user, f.broker].filter((v) => v !== undefined).join('/');
  return {
    from,
    to,
    tone: f.severity,
    label: `${f.severity} ${f.rule}${who ? ` ${who}` : ''} ×${f.count}`,
    detail: `${f.message} (${f.first} .. ${f.last}${f.stormKind ? `, ${f.stormKind}` : ''}); docs: ${f.docsUrl}`,
    evidence: f.evidence.map((e) => evidence.get(evidenceRef(e)) ?? { ref: evidenceRef(e), text: null }),
  };
}

function durationWords(ms: number): string {
  const hours = ms / 3_600_000;
  return hours >= 48 ? `${Math.round(hours / 24)} days` : hours >= 2 ? `${Math.round(hours)} h` : `${Math.round(ms / 60_000)} min`;
}

function describeBucket(seconds: number): string {
  return seconds < 60 ? `${seconds} s` : seconds < 3600 ? `${seconds / 60} min` : `${seconds / 3600} h`;
}
