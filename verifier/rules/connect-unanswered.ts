import { subjectKey, type LogEvent } from '../classify/log-event.ts';
import type { RuleFinding } from '../types.ts';
import { durationText } from './duration-text.ts';
import { FindingBuilder, subjectText } from './finding-builder.ts';
import type { Rule, Thresholds } from './rule.ts';
import { OpenConnections, StormLikeness } from './storm-likeness.ts';
import { TimeWindow } from './time-window.ts';

/** How long a connection attempt may wait for its `Connected …` line. */
export const ANSWER_MS = 10_000;
const UNANSWERED_THRESHOLD = 3;

interface Subject {
  window: TimeWindow<LogEvent>;
  builder: FindingBuilder;
  likeness: StormLikeness;
  peak: number;
}

interface Pending {
  ev: LogEvent;
  overlaps: boolean;
}

/**
 * 3 or more upstream connection attempts within `window` that no `Connected …` follows within 10 s:
 * how a 429 storm looks in logs that never print the 429. An attempt near the end of the log, with
 * less than 10 s of log after it, is not judged. An error when the attempts look like a storm
 * ({@link StormLikeness}), else a warning: a client backing off from a broker whose slots are taken.
 */
export class ConnectUnansweredRule implements Rule {
  readonly name = 'connect-unanswered';
  private pending: Pending[] = [];
  private readonly open = new OpenConnections();
  private readonly subjects = new Map<string, Subject>();
  private now = Number.NEGATIVE_INFINITY;

  constructor(private readonly t: Thresholds) {}

  observe(ev: LogEvent): void {
    if (ev.time > this.now) this.now = ev.time;
    if (ev.kind === 'attempt') this.pending.push({ ev, overlaps: this.open.overlaps(ev) });
    else if (ev.kind === 'connected') {
      this.pending = this.pending.filter(
        ({ ev: a }) =>
          !(a.broker === ev.broker && (ev.user === undefined || a.user === ev.user) && a.time <= ev.time && ev.time - a.time <= ANSWER_MS),
      );
    }
    this.open.observe(ev);
    this.expire(this.now);
  }

  finish(endTime: number): RuleFinding[] {
    this.expire(Math.max(this.now, endTime));
    return [...this.subjects.values()]
      .filter((s) => s.peak > 0)
      .map((s) => {
        const head =
          `${s.builder.count} upstream connection attempts for ${subjectText(s.builder.user, s.builder.broker)} got no ` +
          `"Connected" within ${ANSWER_MS / 1000} s (up to ${s.peak} within ${durationText(this.t.windowMs)})`;
        return s.likeness.stormLike
          ? s.builder.build(`${head}, ${s.likeness.why('went unanswered')}: the broker is refusing them, as a 429 storm does`)
          : s.builder.build(`${head}: ${s.likeness.why('left unanswered')}`, undefined, 'warning');
      });
  }

  private expire(now: number): void {
    if (this.pending.length === 0 || now - this.pending[0].ev.time <= ANSWER_MS) return;
    const stillPending: Pending[] = [];
    for (const a of this.pending) {
      if (now - a.ev.time > ANSWER_MS) this.unanswered(a);
      else stillPending.push(a);
    }
    this.pending = stillPending;
  }

  private unanswered({ ev: a, overlaps }: Pending): void {
    const key = subjectKey(a);
    let s = this.subjects.get(key);
    if (!s) {
      const builder = new FindingBuilder(this.name, 'error', a.user, a.broker);
      s = { window: new TimeWindow(this.t.windowMs), builder, likeness: new StormLikeness(), peak: 0 };
      this.subjects.set(key, s);
    }
    s.likeness.add(a.time, overlaps);
    const n = s.window.add(a.time, a);
    if (n < UNANSWERED_THRESHOLD) return;
    s.peak = Math.max(s.peak, n);
    s.builder.addBurst(s.window);
  }
}
