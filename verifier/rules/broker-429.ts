import { subjectKey, type LogEvent } from '../classify/log-event.ts';
import type { RuleFinding } from '../types.ts';
import { FindingBuilder, subjectText } from './finding-builder.ts';
import type { Rule } from './rule.ts';
import { OpenConnections, StormLikeness } from './storm-likeness.ts';

/**
 * The broker refused WebSocket connections with 429 / `Connection Limit Exceeded` (any broker's
 * refusal line): an error when the refusals look like a storm, else a warning that the limit may be
 * held by another application.
 */
export class Broker429Rule implements Rule {
  readonly name = 'broker-429';
  private readonly subjects = new Map<string, { builder: FindingBuilder; likeness: StormLikeness }>();
  private readonly open = new OpenConnections();

  observe(ev: LogEvent): void {
    this.open.observe(ev);
    if (ev.kind !== 'refused') return;
    const key = subjectKey(ev);
    let s = this.subjects.get(key);
    if (!s) {
      s = { builder: new FindingBuilder(this.name, 'error', ev.user, ev.broker), likeness: new StormLikeness() };
      this.subjects.set(key, s);
    }
    s.builder.add(ev.time, ev.zoned, ev.ref);
    s.likeness.add(ev.time, this.open.overlaps(ev));
  }

  finish(): RuleFinding[] {
    return [...this.subjects.values()].map(({ builder, likeness }) => {
      const who = subjectText(builder.user, builder.broker);
      const stormy = likeness.stormLike;
      const message = stormy
        ? `The broker refused ${builder.count} WebSocket connection(s) for ${who} with 429 Connection Limit Exceeded, ${likeness.why('refused')}`
        : `${builder.count} 429 refusal line(s) for ${who}: ${likeness.why('refused')}`;
      return builder.build(message, undefined, stormy ? 'error' : 'warning');
    });
  }
}
