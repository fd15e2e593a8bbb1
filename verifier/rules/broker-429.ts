import { subjectKey, type LogEvent } from '../classify/log-event.ts';
import type { RuleFinding } from '../types.ts';
import { FindingBuilder, subjectText } from './finding-builder.ts';
import type { Rule, Thresholds } from './rule.ts';
import { OpenConnections, RefusalPattern } from './refusal-pattern.ts';
import { SubjectMap } from './subject-map.ts';
import type { SubjectTable } from './subject-table.ts';

interface Subject {
  builder: FindingBuilder;
  pattern: RefusalPattern;
}

/**
 * The broker refused WebSocket handshakes with 429 / `Connection Limit Exceeded` (any broker's refusal
 * line, one per handshake): an error when the refusals make a storm ({@link RefusalPattern}), else a
 * warning that the limit may be held by another application.
 */
export class Broker429Rule implements Rule {
  readonly name = 'broker-429';
  private readonly subjects = new SubjectMap<Subject>({
    isQuiet: (s, now) => s.pattern.settledBy(now),
    // Every refusal is reported: as an error or as a warning.
    fired: () => true,
    findingOf: (s) => this.findingOf(s),
  });
  private readonly open: OpenConnections;

  constructor(
    private readonly t: Thresholds,
    table?: SubjectTable,
  ) {
    this.open = new OpenConnections(t.tokensPerConnection, table);
  }

  observe(ev: LogEvent): void {
    this.open.observe(ev);
    if (ev.kind !== 'refused') return;
    const key = subjectKey(ev);
    let s = this.subjects.get(key);
    if (!s) {
      s = { builder: new FindingBuilder(this.name, 'error', ev.user, ev.broker), pattern: new RefusalPattern(this.t, true) };
      this.subjects.set(key, s, ev.time);
    }
    s.builder.add(ev.time, ev.zoned, ev.ref);
    s.pattern.add(ev.time, this.open.overlaps(ev));
  }

  finish(): RuleFinding[] {
    return this.subjects.findings(this.name);
  }

  private findingOf({ builder, pattern }: Subject): RuleFinding {
    return builder.build(
      `The broker refused ${pattern.count} handshake(s) for ${subjectText(builder.user, builder.broker)} with 429 ` +
        `Connection Limit Exceeded ${pattern.extent}: ${pattern.why()}`,
      undefined,
      pattern.isError ? 'error' : 'warning',
    );
  }
}
