import type { LogEvent } from '../classify/log-event.ts';
import type { RuleFinding } from '../types.ts';
import { CountedSubjects } from './counted-subjects.ts';
import { subjectText } from './finding-builder.ts';
import type { Rule } from './rule.ts';
import type { SubjectTable } from './subject-table.ts';

/**
 * An upstream handshake dialled while the application's own line says no client of that user wants it
 * (`Connecting to Angel WebSocket (attempt N) for 0 client(s)`, docs/rules.md#dial-with-no-client): a
 * reconnect cycle that outlived its demand. Only lines that state the client count are judged; OpenAlgo's
 * lines state none, so they never fire it.
 */
export class DialWithNoClientRule implements Rule {
  readonly name = 'dial-with-no-client';
  private readonly subjects: CountedSubjects;

  constructor(table?: SubjectTable) {
    this.subjects = new CountedSubjects(this.name, 'error', 1, table);
  }

  observe(ev: LogEvent): void {
    if (ev.kind === 'attempt' && ev.count === 0) this.subjects.count(ev.broker, ev.user)?.add(ev.time, ev.zoned, ev.ref);
  }

  finish(): RuleFinding[] {
    return this.subjects.findings((b) =>
      b.build(`${b.count} upstream handshake(s) for ${subjectText(b.user, b.broker)} dialled while no client of that user was connected: a reconnect cycle that outlived its clients`),
    );
  }
}
