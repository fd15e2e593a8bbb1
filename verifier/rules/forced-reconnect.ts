import { subjectKey, type LogEvent } from '../classify/log-event.ts';
import type { RuleFinding } from '../types.ts';
import { durationText } from './duration-text.ts';
import { FindingBuilder, subjectText } from './finding-builder.ts';
import type { Rule, Thresholds } from './rule.ts';
import { TimeWindow } from './time-window.ts';

interface Subject {
  builder: FindingBuilder;
  times: number[];
  window: TimeWindow<number>;
  peak: number;
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
  private readonly subjects = new Map<string, Subject>();

  constructor(private readonly t: Thresholds) {}

  observe(ev: LogEvent): void {
    if (ev.kind !== 'forced-reconnect') return;
    const key = subjectKey(ev);
    let s = this.subjects.get(key);
    if (!s) {
      s = { builder: new FindingBuilder(this.name, 'warning', ev.user, ev.broker), times: [], window: new TimeWindow(this.t.forcedReconnectSpanMs), peak: 0 };
      this.subjects.set(key, s);
    }
    s.builder.add(ev.time, ev.zoned, ev.ref);
    s.times.push(ev.time);
    s.peak = Math.max(s.peak, s.window.add(ev.time, ev.time));
  }

  finish(): RuleFinding[] {
    return [...this.subjects.values()].filter((s) => s.builder.count >= this.t.forcedReconnect).map(({ builder, times, peak }) => {
      const who = subjectText(builder.user, builder.broker);
      const within = `up to ${peak} within ${durationText(this.t.forcedReconnectSpanMs)}`;
      const gaps = times.slice(1).map((t, i) => t - times[i]).sort((a, b) => a - b);
      const apart = `a median ${Math.round(gaps[Math.floor(gaps.length / 2)] / 1000)} s apart`;
      if (peak < this.t.forcedReconnect) {
        return builder.build(`A data-stall watchdog forced ${builder.count} reconnects for ${who}, ${apart}, ${within}: sporadic`);
      }
      return builder.build(
        `A data-stall watchdog forced ${builder.count} reconnects for ${who}, ${apart}, ${within}: periodic churn of the upstream connection`,
        'churn',
        'error',
      );
    });
  }
}
