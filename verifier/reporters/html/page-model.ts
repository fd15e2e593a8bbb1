import type { RuleCount } from '../rule-counts.ts';

/**
 * What an HTML report shows, independent of where it came from (verify, reproduce, probe): a summary
 * band, then columns of charts on one shared x axis. The page script reads this as JSON.
 */

/** `clock`: epoch seconds; `elapsed`: seconds since each run started; `order`: the order of log events. */
export type PageAxis = 'clock' | 'elapsed' | 'order';

export type RangeTone = 'error' | 'warning' | 'info' | 'phase';

export interface EvidenceLine {
  /** `file:line` */
  ref: string;
  /** The line's text, or null when it could not be read back (stdin, a file gone since). */
  text: string | null;
}

/** A finding or a phase, drawn as a shaded range; findings open their evidence when clicked. */
export interface PageRange {
  from: number;
  to: number;
  tone: RangeTone;
  label: string;
  detail: string;
  evidence: EvidenceLine[];
}

/**
 * `rate`: counts per bucket, drawn per second; `level`: a level drawn as a step line (adapters alive,
 * connections open). Null is a bucket with no value.
 */
export interface PageSeries {
  label: string;
  kind: 'rate' | 'level';
  values: (number | null)[];
}

export interface PageChart {
  title: string;
  /** Bucket starts on the page's axis. */
  x: number[];
  bucketSeconds: number;
  series: PageSeries[];
  ranges: PageRange[];
}

export interface PageColumn {
  heading?: string;
  charts: PageChart[];
}

export interface PageSummary {
  verdict: string;
  tone: 'pass' | 'fail' | 'neutral';
  /** One-line facts: lines read, inputs, thresholds, broker totals. */
  facts: string[];
  /** Per rule (a scenario page prefixes the run's name): findings, the lines behind them, the worst severity. */
  ruleCounts: RuleCount[];
  stormKinds: string[];
}

/** An idle stretch cut short on the axis: the later busy stretch starts at `x`, `hiddenSeconds` later in truth. */
export interface PageBreak {
  x: number;
  hiddenSeconds: number;
}

export interface PageModel {
  title: string;
  summary: PageSummary;
  axis: PageAxis;
  /** Idle stretches cut short, in order; a point's true time is its x plus the hidden seconds of the breaks before it. */
  breaks?: PageBreak[];
  /** Said above the charts: how to read them, and anything that limits them (no timestamps, charts left out). */
  notes: string[];
  columns: PageColumn[];
}
