import type { RuleFinding } from '../types.ts';

/** Subjects a rule details, each with its own finding; later ones that fire are summarised with counts. */
export const MAX_DETAILED_SUBJECTS = 1_000;

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
 * million users costs what its busy subjects do. When the map has doubled since the last sweep, quiet
 * subjects that never fired are dropped, and quiet ones that fired beyond the first
 * {@link MAX_DETAILED_SUBJECTS} are folded into one summary finding ({@link summary}).
 */
export class SubjectMap<S> {
  private readonly map = new Map<string, S>();
  private readonly detailed = new Set<string>();
  private sweepAt: number;
  private readonly summarised = { subjects: 0, count: 0, first: '', last: '' };

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

  values(): IterableIterator<S> {
    return this.map.values();
  }

  /** The finding that stands for the summarised subjects, if any were. */
  summary(rule: string, severity: RuleFinding['severity']): RuleFinding[] {
    const s = this.summarised;
    if (s.subjects === 0) return [];
    return [
      {
        rule,
        severity,
        message: `${s.subjects} more subject(s) with ${rule} findings, summarised with counts (the first ${MAX_DETAILED_SUBJECTS} are detailed): ${s.count} lines in all`,
        count: s.count,
        first: s.first,
        last: s.last,
        evidence: [],
      },
    ];
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
        this.fold(this.life.findingOf(subject));
      }
      this.map.delete(key);
    }
    this.sweepAt = Math.max(this.minSweep, this.map.size * 2);
  }

  private fold(f: RuleFinding): void {
    const s = this.summarised;
    s.subjects++;
    s.count += f.count;
    if (s.first === '' || f.first < s.first) s.first = f.first;
    if (f.last > s.last) s.last = f.last;
  }
}
