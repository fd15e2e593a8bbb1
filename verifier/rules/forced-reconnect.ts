import { subjectKey, type LogEvent } from '../classify/log-event.ts';
import type { RuleFinding } from '../types.ts';
import { durationText } from './duration-text.ts';
import { FindingBuilder, subjectText } from './finding-builder.ts';
import type { Rule, Thresholds } from './rule.ts';
import { SubjectColumn } from './subject-column.ts';
import { SubjectMap } from './subject-map.ts';
import { SubjectTable } from './subject-table.ts';
import { TimeWindow } from './time-window.ts';

/**
 * A subject's reconnects since it was last let go. Most subjects of a busy log are forced to reconnect
 * once in a span: until a second one, a subject holds only its first, and its window and finding are
 * made when needed.
 */
interface Subject {
  id: number;
  first: LogEvent;
  last: number;
  seen?: { builder: FindingBuilder; times: number[]; window: TimeWindow<number>; peak: number };
}

/**
 * A data-stall watchdog forcing reconnects (`Angel data stall detected - no data for 93.1s (timeout:
 * 90s). Forcing reconnect...`): each one is a fresh upstream handshake. Periodic ones, `forcedReconnect`
 * (3) or more per subject within `forcedReconnectSpanMs` (15 min), are an error: the upstream churns all
 * day, as OpenAlgo 2026-08's watchdog does every ~111 s on a quiet feed. As many spread wider are a
 * sporadic warning; fewer are not reported.
 */
export class ForcedReconnectRule implements Rule {
  readonly name = 'forced-reconnect';
  /** Each subject's reconnects over the whole log: a subject let go while quiet still counts to the sporadic warning. */
  private readonly total = new SubjectColumn();
  private readonly subjects = new SubjectMap<Subject>({
    isQuiet: (s, now) => now - s.last > this.t.forcedReconnectSpanMs,
    fired: (s) => this.total.get(s.id) >= this.t.forcedReconnect,
    findingOf: (s) => this.findingOf(s),
  });

  constructor(
    private readonly t: Thresholds,
    private readonly table: SubjectTable = new SubjectTable(),
  ) {}

  observe(ev: LogEvent): void {
    if (ev.kind !== 'forced-reconnect') return;
    const key = subjectKey(ev);
    let s = this.subjects.get(key);
    if (!s) {
      s = { id: this.table.idOf(ev.broker, ev.user), first: ev, last: ev.time };
      this.subjects.set(key, s, ev.time);
    }
    this.total.set(s.id, this.total.get(s.id) + 1);
    s.last = Math.max(s.last, ev.time);
    if (s.first !== ev) this.record(this.seenOf(s), ev);
  }

  private seenOf(s: Subject): NonNullable<Subject['seen']> {
    if (!s.seen) {
      s.seen = { builder: new FindingBuilder(this.name, 'warning', s.first.user, s.first.broker), times: [], window: new TimeWindow(this.t.forcedReconnectSpanMs), peak: 0 };
      this.record(s.seen, s.first);
    }
    return s.seen;
  }

  private record(seen: NonNullable<Subject['seen']>, ev: LogEvent): void {
    seen.builder.add(ev.time, ev.zoned, ev.ref);
    seen.times.push(ev.time);
    seen.peak = Math.max(seen.peak, seen.window.add(ev.time, ev.time));
  }

  finish(): RuleFinding[] {
    return this.subjects.findings(this.name);
  }

  private findingOf(s: Subject): RuleFinding {
    const { builder, times, peak } = this.seenOf(s);
    const who = subjectText(builder.user, builder.broker);
    const count = this.total.get(s.id);
    const within = `up to ${peak} within ${durationText(this.t.forcedReconnectSpanMs)}`;
    const gaps = times.slice(1).map((t, i) => t - times[i]).sort((a, b) => a - b);
    const apart = gaps.length === 0 ? 'far apart' : `a median ${Math.round(gaps[Math.floor(gaps.length / 2)] / 1000)} s apart`;
    if (peak < this.t.forcedReconnect) {
      return builder.build(`A data-stall watchdog forced ${count} reconnects for ${who}, ${apart}, ${within}: sporadic`);
    }
    return builder.build(
      `A data-stall watchdog forced ${count} reconnects for ${who}, ${apart}, ${within}: periodic churn of the upstream connection`,
      'churn',
      'error',
    );
  }
}
