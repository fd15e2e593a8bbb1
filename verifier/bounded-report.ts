import { MinuteRows } from './minute-rows.ts';
import { SEVERITIES, type Finding, type InputGroup, type InputSummary, type OmittedCounts, type ReuseStatistic, type Severity, type SkippedInput, type TimelineMinute } from './types.ts';

/**
 * How many inputs, groups, skipped files and findings a report lists one by one. Past these the rest
 * are counted in `omitted`: 100,000 log files or a million users' findings must not cost memory in
 * proportion (the verdict and the totals still count every one).
 */
export const REPORT_LIMITS = { inputs: 1_000, groups: 1_000, skipped: 1_000, findings: 1_000, reuse: 2_000 } as const;

type Totals = Pick<InputSummary, 'lines' | 'recognised' | 'unrecognised' | 'truncated' | 'undecodable'>;

/**
 * The lists of a report as they grow, each kept under its limit: findings keep the most severe first,
 * the other lists their first entries in read order. The verdict is decided over every finding.
 */
export class BoundedReport {
  readonly inputs: InputSummary[] = [];
  readonly skipped: SkippedInput[] = [];
  readonly groups: InputGroup[] = [];
  readonly reuse: ReuseStatistic[] = [];
  readonly omitted: OmittedCounts = { inputs: 0, groups: 0, skipped: 0, findings: 0, reuse: 0 };
  readonly findingCounts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  readonly totals: Totals = { lines: 0, recognised: 0, unrecognised: 0, truncated: 0, undecodable: 0 };
  private findings: Array<{ f: Finding; order: number }> = [];
  private order = 0;
  private readonly minutes = new MinuteRows();

  /** Lines outside `--since`/`--until`, over every input. */
  outsideWindow = 0;

  addInput(summary: InputSummary): void {
    for (const k of Object.keys(this.totals) as Array<keyof Totals>) this.totals[k] += summary[k];
    this.outsideWindow += summary.outsideWindow ?? 0;
    if (this.inputs.length < REPORT_LIMITS.inputs) this.inputs.push(summary);
    else this.omitted.inputs++;
  }

  addSkipped(entry: SkippedInput): void {
    if (this.skipped.length < REPORT_LIMITS.skipped) this.skipped.push(entry);
    else this.omitted.skipped++;
  }

  /** A judged group with its findings and reuse rows; its timeline adds to the run's. */
  addGroup(group: InputGroup, found: readonly Finding[], reuse: readonly ReuseStatistic[]): void {
    for (const m of group.timeline) this.minutes.addRow(m);
    if (this.groups.length < REPORT_LIMITS.groups) this.groups.push(group);
    else this.omitted.groups++;
    for (const r of reuse) {
      if (this.reuse.length < REPORT_LIMITS.reuse) this.reuse.push(r);
      else this.omitted.reuse++;
    }
    for (const f of found) {
      this.findingCounts[f.severity]++;
      this.findings.push({ f, order: this.order++ });
    }
    if (this.findings.length >= 2 * REPORT_LIMITS.findings) this.trimFindings();
  }

  /** The findings kept, most severe first, then in the order they were found. */
  sortedFindings(): Finding[] {
    this.trimFindings();
    return this.findings.map(({ f }) => f);
  }

  timeline(): TimelineMinute[] {
    return this.minutes.rows();
  }

  private trimFindings(): void {
    this.findings.sort((a, b) => SEVERITIES.indexOf(a.f.severity) - SEVERITIES.indexOf(b.f.severity) || a.order - b.order);
    if (this.findings.length > REPORT_LIMITS.findings) {
      this.omitted.findings += this.findings.length - REPORT_LIMITS.findings;
      this.findings.length = REPORT_LIMITS.findings;
    }
  }
}
