import { subjectKey, type LogEvent } from '../classify/log-event.ts';
import type { RuleFinding } from '../types.ts';
import { durationText } from './duration-text.ts';
import { FindingBuilder, subjectText } from './finding-builder.ts';
import type { Rule, Thresholds } from './rule.ts';
import { OpenConnections, RefusalPattern } from './refusal-pattern.ts';
import { SubjectMap } from './subject-map.ts';
import type { SubjectTable } from './subject-table.ts';
import { TimeWindow } from './time-window.ts';
import { placeFor, timeToCompact } from '../sorted-place.ts';

interface Subject {
  window: TimeWindow<LogEvent>;
  builder: FindingBuilder;
  pattern: RefusalPattern;
  peak: number;
  /** Log time of its latest unanswered attempt. */
  last: number;
}

interface Pending {
  ev: LogEvent;
  overlaps: boolean;
}

/**
 * `unanswered` (3) or more upstream connection attempts within `window` that no `Connected …` follows
 * within `answerMs` (10 s): how a 429 storm looks in logs that never print the 429. An attempt near the
 * end of the log, with less than `answerMs` of log after it, is not judged. An error when the attempts
 * make a storm by rate or overlap ({@link RefusalPattern}; a first retry soon after a plain connection
 * failure is fine, so not by pair), else a warning: a client backing off from a broker whose slots are taken.
 */
export class ConnectUnansweredRule implements Rule {
  readonly name = 'connect-unanswered';
  /** Attempts waiting for their `Connected`, in time order from `head`, with their times apart. */
  private pending: Pending[] = [];
  private times: number[] = [];
  private head = 0;
  private readonly open: OpenConnections;
  private readonly subjects = new SubjectMap<Subject>({
    // Quiet past its window and its refusal pattern's: no later attempt can join a burst of it.
    isQuiet: (s, now) => now - s.last > this.t.windowMs && s.pattern.settledBy(now),
    fired: (s) => s.peak > 0,
    findingOf: (s) => this.findingOf(s),
  });
  private now = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly t: Thresholds,
    table?: SubjectTable,
  ) {
    this.open = new OpenConnections(t.tokensPerConnection, table);
  }

  observe(ev: LogEvent): void {
    if (ev.time > this.now) this.now = ev.time;
    if (ev.kind === 'attempt') this.wait({ ev, overlaps: this.open.overlaps(ev) });
    else if (ev.kind === 'connected' && this.head < this.pending.length) {
      const answered = (a: LogEvent) =>
        a.broker === ev.broker && (ev.user === undefined || a.user === ev.user) && a.time <= ev.time && ev.time - a.time <= this.t.answerMs;
      const still = this.pending.slice(this.head).filter((p) => !answered(p.ev));
      this.pending = still;
      this.times = still.map((p) => p.ev.time);
      this.head = 0;
    }
    this.open.observe(ev);
    this.expire(this.now);
  }

  finish(endTime: number): RuleFinding[] {
    this.expire(Math.max(this.now, endTime));
    return this.subjects.findings(this.name);
  }

  private findingOf(s: Subject): RuleFinding {
    const head =
      `${s.pattern.count} upstream connection attempt(s) for ${subjectText(s.builder.user, s.builder.broker)} ${s.pattern.extent}, ` +
      `got no "Connected" within ${durationText(this.t.answerMs)} (${s.builder.count} of them ${this.t.unanswered} or more within ${durationText(this.t.windowMs)})`;
    return s.pattern.isError
      ? s.builder.build(`${head}: ${s.pattern.why()}; the broker is refusing them, as a 429 storm does`)
      : s.builder.build(`${head}: ${s.pattern.why()}`, undefined, 'warning');
  }

  /** Keeps the waiting attempts in time order, so those past their answer time are the oldest. */
  private wait(p: Pending): void {
    const i = placeFor(this.times, this.head, p.ev.time);
    this.times.splice(i, 0, p.ev.time);
    this.pending.splice(i, 0, p);
  }

  private expire(now: number): void {
    while (this.head < this.pending.length && now - this.times[this.head] > this.t.answerMs) this.unanswered(this.pending[this.head++]);
    if (timeToCompact(this.head, this.pending.length)) {
      this.pending = this.pending.slice(this.head);
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }

  private unanswered({ ev: a, overlaps }: Pending): void {
    const key = subjectKey(a);
    let s = this.subjects.get(key);
    if (!s) {
      const builder = new FindingBuilder(this.name, 'error', a.user, a.broker);
      s = { window: new TimeWindow(this.t.windowMs), builder, pattern: new RefusalPattern(this.t, false), peak: 0, last: a.time };
      this.subjects.set(key, s, this.now);
    }
    s.last = Math.max(s.last, a.time);
    s.pattern.add(a.time, overlaps);
    const n = s.window.add(a.time, a);
    if (n < this.t.unanswered) return;
    s.peak = Math.max(s.peak, n);
    s.builder.addBurst(s.window);
  }
}
