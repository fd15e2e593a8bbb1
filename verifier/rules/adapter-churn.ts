import type { LogEvent } from '../classify/log-event.ts';
import type { RuleFinding } from '../types.ts';
import { durationText } from './duration-text.ts';
import { FindingBuilder, subjectText } from './finding-builder.ts';
import type { Rule, Thresholds } from './rule.ts';

/**
 * An adapter torn down (last client gone, removed, pools invalidated) and one created for the same
 * user within `window`, `churn` (3) or more times: client churn turned into upstream churn. A creation that
 * names no user pairs with the latest teardown for its broker.
 */
export class AdapterChurnRule implements Rule {
  readonly name = 'adapter-churn';
  private readonly teardowns: LogEvent[] = [];
  private readonly subjects = new Map<string, FindingBuilder>();

  constructor(private readonly t: Thresholds) {}

  observe(ev: LogEvent): void {
    if (ev.kind === 'teardown' || ev.kind === 'remove' || ev.kind === 'invalidated') {
      this.forgetBefore(ev.time);
      this.teardowns.push(ev);
      return;
    }
    if (ev.kind !== 'create') return;
    this.forgetBefore(ev.time);
    let i = this.teardowns.length - 1;
    for (; i >= 0; i--) {
      const td = this.teardowns[i];
      if (td.time > ev.time || td.broker !== ev.broker) continue;
      if (ev.user === undefined || td.user === ev.user) break;
    }
    if (i < 0) return;
    const [td] = this.teardowns.splice(i, 1);
    const key = `${td.broker ?? '?'}/${td.user ?? ''}`;
    let b = this.subjects.get(key);
    if (!b) {
      b = new FindingBuilder(this.name, 'error', td.user, td.broker);
      this.subjects.set(key, b);
    }
    b.add(td.time, td.zoned, td.ref);
    b.add(ev.time, ev.zoned, ev.ref, false);
  }

  /** Teardowns older than the window can pair with nothing any more. */
  private forgetBefore(time: number): void {
    while (this.teardowns.length > 0 && time - this.teardowns[0].time > this.t.windowMs) this.teardowns.shift();
  }

  finish(): RuleFinding[] {
    return [...this.subjects.values()]
      .filter((b) => b.count >= this.t.churn)
      .map((b) =>
        b.build(
          `The adapter for ${subjectText(b.user, b.broker)} was torn down and recreated within ` +
            `${durationText(this.t.windowMs)} ${b.count} times: client churn becomes upstream churn`,
        ),
      );
  }
}
