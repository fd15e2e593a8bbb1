import { subjectKey, type LogEvent } from '../classify/log-event.ts';
import type { Finding } from '../types.ts';
import { FindingBuilder, subjectText } from './finding-builder.ts';
import type { Rule } from './rule.ts';

/** Report only: adapter creations against reuses per user (or broker). */
export class ReuseRatioRule implements Rule {
  readonly name = 'reuse-ratio';
  private readonly subjects = new Map<string, { builder: FindingBuilder; reuses: number }>();

  observe(ev: LogEvent): void {
    if (ev.kind !== 'create' && ev.kind !== 'reuse') return;
    const key = subjectKey(ev);
    let s = this.subjects.get(key);
    if (!s) {
      s = { builder: new FindingBuilder(this.name, 'info', ev.user, ev.broker), reuses: 0 };
      this.subjects.set(key, s);
    }
    if (ev.kind === 'reuse') s.reuses++;
    s.builder.add(ev.time, ev.zoned, ev.ref, ev.kind === 'create');
  }

  finish(): Finding[] {
    return [...this.subjects.values()].map(({ builder, reuses }) =>
      builder.build(`${subjectText(builder.user, builder.broker)}: ${builder.count} adapter creation(s), ${reuses} reuse(s)`),
    );
  }
}
