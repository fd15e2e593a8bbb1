import { SEVERITIES, type RuleFinding, type Severity } from '../types.ts';

/** Subjects a rule details, each with its own finding; later ones that fire are summarised with counts. */
export const MAX_DETAILED_SUBJECTS = 1_000;

/**
 * How much the map grows between sweeps. Each sweep visits every subject, so any growth factor keeps
 * the cost per subject constant; doubling let quiet subjects pile up to twice the busy ones (forced
 * reconnects of 300,000 users: 149 MB, against 129 MB at a quarter).
 */
export const SWEEP_GROWTH = 1.25;

/** What a rule needs to know of its subject state to let it go. */
export interface SubjectLifecycle<S> {
  /** Nothing happened to it within the rule's window: its state can no longer change a verdict by itself. */
  isQuiet: (subject: S, now: number) => boolean;
  /** It has crossed the rule's threshold. */
  fired: (subject: S) => boolean;
  /** Its finding, for the summary, when it is let go as one of the subjects past the detailed ones. */
  findingOf: (subject: S) => RuleFinding;
}

/**
 * A rule's state per subject (user, broker) that forgets what it no longer needs, so a log naming a
 * million users costs what its busy subjects do. When the map has grown by a quarter since the last
 * sweep, quiet subjects that never fired are dropped, and quiet ones that fired beyond the first
 * {@link MAX_DETAILED_SUBJECTS} are folded into one summary finding per severity ({@link findings}).
 */
export class SubjectMap<S> {
  private readonly map = new Map<string, S>();
  private readonly detailed = new Set<string>();
  private sweepAt: number;
  private readonly summarised = new Map<Severity, Summarised>();

  constructor(
    private readonly life: SubjectLifecycle<S>,
    private readonly minSweep = 4_096,
  ) {
    this.sweepAt = minSweep;
  }

  get(key: string): S | undefined {
    return this.map.get(key);
  }

  /** Adds a subject at log time `now`, first letting quiet ones go when the map has grown enough. */
  set(key: string, subject: S, now: number): void {
    if (this.map.size >= this.sweepAt) this.sweep(now);
    this.map.set(key, subject);
  }

  /**
   * The rule's findings so far: each fired subject its own, up to {@link MAX_DETAILED_SUBJECTS} of
   * them, then one summary per severity of the others. It changes nothing, so it can be asked mid-read
   * (the alarm, `--follow`) and again at the end.
   */
  findings(rule: string): RuleFinding[] {
    const found: RuleFinding[] = [];
    const summaries = new Map([...this.summarised].map(([severity, s]) => [severity, { ...s }]));
    let room = MAX_DETAILED_SUBJECTS - this.detailed.size;
    for (const [key, subject] of this.map) {
      if (!this.life.fired(subject)) continue;
      const finding = this.life.findingOf(subject);
      if (this.detailed.has(key)) found.push(finding);
      else if (room > 0) {
        room--;
        found.push(finding);
      } else fold(summaries, finding);
    }
    return [...found, ...SEVERITIES.flatMap((severity) => summaryOf(rule, severity, summaries.get(severity)))];
  }

  private sweep(now: number): void {
    for (const [key, subject] of this.map) {
      if (!this.life.isQuiet(subject, now)) continue;
      if (this.life.fired(subject)) {
        if (this.detailed.has(key)) continue;
        if (this.detailed.size < MAX_DETAILED_SUBJECTS) {
          this.detailed.add(key);
          continue;
        }
        fold(this.summarised, this.life.findingOf(subject));
      }
      this.map.delete(key);
    }
    this.sweepAt = Math.max(this.minSweep, Math.ceil(this.map.size * SWEEP_GROWTH));
  }
}

/** What the subjects folded into one severity's summary add up to. */
interface Summarised {
  subjects: number;
  count: number;
  first: string;
  last: string;
}

function fold(summaries: Map<Severity, Summarised>, f: RuleFinding): void {
  let s = summaries.get(f.severity);
  if (!s) summaries.set(f.severity, (s = { subjects: 0, count: 0, first: '', last: '' }));
  s.subjects++;
  s.count += f.count;
  if (s.first === '' || f.first < s.first) s.first = f.first;
  if (f.last > s.last) s.last = f.last;
}

/** The finding that stands for the subjects summarised at one severity, if any were. */
function summaryOf(rule: string, severity: Severity, s: Summarised | undefined): RuleFinding[] {
  if (s === undefined || s.subjects === 0) return [];
  return [
    {
      rule,
      severity,
      message: summaryText(rule, s.subjects, s.count),
      count: s.count,
      first: s.first,
      last: s.last,
      evidence: [],
    },
  ];
}

/** The words of a summary finding: how many subjects it stands for and their lines. */
export function summaryText(rule: string, subjects: number, lines: number): string {
  return `${subjects} more subject(s) with ${rule} findings, summarised with counts (the first ${MAX_DETAILED_SUBJECTS} are detailed): ${lines} lines in all`;
}
