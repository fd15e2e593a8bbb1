import { subjectKey, type LogEvent } from '../classify/log-event.ts';
import type { RuleFinding } from '../types.ts';
import { FindingBuilder, subjectText } from './finding-builder.ts';
import type { Rule } from './rule.ts';
import { MAX_DETAILED_SUBJECTS } from './subject-map.ts';

/**
 * An upstream handshake dialled while the application's own line says no client of that user wants it
 * (`Connecting to Angel WebSocket (attempt N) for 0 client(s)`, docs/rules.md#dial-with-no-client): a
 * reconnect cycle that outlived its demand. Only lines that state the client count are judged; OpenAlgo's
 * lines state none, so they never fire it.
 */
export class DialWithNoClientRule implements Rule {
  readonly name = 'dial-with-no-client';
  private readonly subjects = new Map<string, FindingBuilder>();
  /** Dials past the first detailed subjects: one builder, so a million users cost one. */
  private readonly others = new FindingBuilder(this.name, 'error');

  observe(ev: LogEvent): void {
    if (ev.kind !== 'attempt' || ev.count !== 0) return;
    const key = subjectKey(ev);
    let builder = this.subjects.get(key);
    if (!builder && this.subjects.size >= MAX_DETAILED_SUBJECTS) {
      this.others.add(ev.time, ev.zoned, ev.ref);
      return;
    }
    if (!builder) {
      builder = new FindingBuilder(this.name, 'error', ev.user, ev.broker);
      this.subjects.set(key, builder);
    }
    builder.add(ev.time, ev.zoned, ev.ref);
  }

  finish(): RuleFinding[] {
    const found = [...this.subjects.values()].map((b) =>
      b.build(`${b.count} upstream handshake(s) for ${subjectText(b.user, b.broker)} dialled while no client of that user was connected: a reconnect cycle that outlived its clients`),
    );
    if (this.others.count === 0) return found;
    return [...found, this.others.build(`${this.others.count} more handshake(s) dialled with no client for users past the first ${MAX_DETAILED_SUBJECTS}, summarised with counts`)];
  }
}
