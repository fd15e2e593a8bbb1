import { subjectKey, type LogEvent } from '../classify/log-event.ts';
import type { RuleFinding } from '../types.ts';
import { FindingBuilder, subjectText } from './finding-builder.ts';
import type { Rule } from './rule.ts';

/**
 * A data-stall watchdog forcing reconnects (`Angel data stall detected - no data for 93.1s (timeout:
 * 90s). Forcing reconnect...`), typically every 90–130 s in a quiet market: each one is a fresh
 * upstream handshake, so it is churn, not a burst, and a warning.
 */
export class ForcedReconnectRule implements Rule {
  readonly name = 'forced-reconnect';
  private readonly subjects = new Map<string, { builder: FindingBuilder; times: number[] }>();

  /** `threshold`: forced reconnects per subject from which they are reported (`--forced-reconnect`). */
  constructor(private readonly threshold: number) {}

  observe(ev: LogEvent): void {
    if (ev.kind !== 'forced-reconnect') return;
    const key = subjectKey(ev);
    let s = this.subjects.get(key);
    if (!s) {
      s = { builder: new FindingBuilder(this.name, 'warning', ev.user, ev.broker), times: [] };
      this.subjects.set(key, s);
    }
    s.builder.add(ev.time, ev.zoned, ev.ref);
    s.times.push(ev.time);
  }

  finish(): RuleFinding[] {
    return [...this.subjects.values()]
      .filter((s) => s.builder.count >= this.threshold)
      .map(({ builder, times }) => {
        const gaps = times.slice(1).map((t, i) => t - times[i]).sort((a, b) => a - b);
        const median = gaps[Math.floor(gaps.length / 2)] / 1000;
        return builder.build(
          `A data-stall watchdog forced ${builder.count} reconnects for ${subjectText(builder.user, builder.broker)}, ` +
            `a median ${median.toFixed(0)} s apart: periodic churn of the upstream connection, not a burst`,
          'churn',
        );
      });
  }
}
