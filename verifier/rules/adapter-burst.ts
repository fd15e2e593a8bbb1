import { subjectKey, type LogEvent } from '../classify/log-event.ts';
import type { RuleFinding } from '../types.ts';
import { durationText } from './duration-text.ts';
import { FindingBuilder, subjectText } from './finding-builder.ts';
import type { Rule, Thresholds } from './rule.ts';
import { LiveAdapters } from './live-adapters.ts';
import { SubjectMap } from './subject-map.ts';
import { TimeWindow } from './time-window.ts';

/**
 * Most subjects of a busy log create one adapter and are never heard of again: until a second
 * creation, a subject holds only its first one, and its window and finding are made when needed.
 */
interface Subject {
  first: LogEvent;
  window?: TimeWindow<LogEvent>;
  builder?: FindingBuilder;
  /** Log time of its latest creation: a subject quiet for a window and never bursting is forgotten. */
  last: number;
  peak: number;
  /** The most adapters alive at once at a creation in a burst. */
  peakAlive: number;
  tornDown: boolean;
}

/**
 * More than `burst` adapter creations for one (user, broker) — or one broker — within `window`:
 * `many-adapters` when the log shows them alive at the same time, `churn` when it shows teardowns
 * between them, no kind when it shows neither.
 */
export class AdapterBurstRule implements Rule {
  readonly name = 'adapter-burst';
  private readonly subjects = new SubjectMap<Subject>({
    isQuiet: (s, now) => now - s.last > this.t.windowMs,
    fired: (s) => s.peak > 0,
    findingOf: (s) => this.findingOf(s),
  });

  /** `live`: the judgement's count of live adapters, shared with the other rules that consult it. */
  constructor(
    private readonly t: Thresholds,
    private readonly live: LiveAdapters = new LiveAdapters(),
  ) {}

  observe(ev: LogEvent): void {
    this.live.observe(ev);
    if (ev.kind !== 'create') return;
    const key = subjectKey(ev);
    let s = this.subjects.get(key);
    if (!s) {
      s = { first: ev, last: ev.time, peak: 0, peakAlive: 0, tornDown: false };
      this.subjects.set(key, s, ev.time);
      // One creation is within any burst of at least 1, which is all verify accepts.
      if (this.t.burst >= 1) return;
    }
    s.last = Math.max(s.last, ev.time);
    if (!s.window) {
      s.window = new TimeWindow(this.t.windowMs);
      if (s.first !== ev) s.window.add(s.first.time, s.first);
    }
    const n = s.window.add(ev.time, ev);
    if (n <= this.t.burst) return;
    s.peak = Math.max(s.peak, n);
    s.peakAlive = Math.max(s.peakAlive, this.live.alive(ev));
    if (this.live.tornDownWithin(ev, this.t.windowMs)) s.tornDown = true;
    s.builder ??= new FindingBuilder(this.name, 'error', s.first.user, s.first.broker);
    s.builder.addBurst(s.window);
  }

  finish(): RuleFinding[] {
    return this.subjects.findings(this.name);
  }

  /** Only for a subject that fired, which has its builder. */
  private findingOf(s: Subject): RuleFinding {
    const builder = s.builder!;
    const kind = s.peakAlive >= 2 ? 'many-adapters' : s.tornDown ? 'churn' : undefined;
    const what =
      kind === 'many-adapters'
        ? `up to ${s.peakAlive} alive at once: many adapters where one should serve`
        : kind === 'churn'
          ? 'with teardowns between them (churn: sequential teardown/recreate)'
          : 'the log shows neither teardowns nor adapters alive at once';
    return builder.build(
      `${s.peak} adapter creations for ${subjectText(builder.user, builder.broker)} within ` +
        `${durationText(this.t.windowMs)} (at most ${this.t.burst} expected), ${what}; ${builder.count} creations in bursts`,
      kind,
    );
  }
}
