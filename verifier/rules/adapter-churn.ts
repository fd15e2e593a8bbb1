import type { LogEvent } from '../classify/log-event.ts';
import type { RuleFinding } from '../types.ts';
import { durationText } from './duration-text.ts';
import { CountedSubjects } from './counted-subjects.ts';
import { subjectText } from './finding-builder.ts';
import type { Rule, Thresholds } from './rule.ts';
import type { SubjectTable } from './subject-table.ts';

/**
 * An adapter torn down (last client gone, removed, pools invalidated) and one created for the same
 * user within `window`, `churn` (3) or more times: client churn turned into upstream churn. A creation that
 * names no user pairs with the latest teardown for its broker.
 */
export class AdapterChurnRule implements Rule {
  readonly name = 'adapter-churn';
  private readonly teardowns: LogEvent[] = [];
  private readonly subjects: CountedSubjects;

  constructor(
    private readonly t: Thresholds,
    table?: SubjectTable,
  ) {
    this.subjects = new CountedSubjects(this.name, 'error', t.churn, table);
  }

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
    const b = this.subjects.count(td.broker, td.user);
    b?.add(td.time, td.zoned, td.ref);
    b?.add(ev.time, ev.zoned, ev.ref, false);
  }

  /** Teardowns older than the window can pair with nothing any more. */
  private forgetBefore(time: number): void {
    while (this.teardowns.length > 0 && time - this.teardowns[0].time > this.t.windowMs) this.teardowns.shift();
  }

  finish(): RuleFinding[] {
    return this.subjects.findings((b) =>
      b.build(
        `The adapter for ${subjectText(b.user, b.broker)} was torn down and recreated within ` +
          `${durationText(this.t.windowMs)} ${b.count} times: client churn becomes upstream churn`,
      ),
    );
  }
}
