import { subjectKey, type LogEvent } from '../classify/log-event.ts';
import type { RuleFinding } from '../types.ts';
import { durationText } from './duration-text.ts';
import { FindingBuilder, subjectText } from './finding-builder.ts';
import type { Rule } from './rule.ts';
import { SubjectMap } from './subject-map.ts';

interface Subject {
  builder: FindingBuilder;
  /** The last refusal not yet followed by an attempt. */
  refused: LogEvent | undefined;
  closestMs: number;
}

/**
 * A handshake dialled sooner than `retryFloorMs` after the broker refused the same user's last one with
 * 429 (docs/rules.md#retry-after-refusal): no back-off on the connection limit, or a second connector.
 * Only lines that name their user are judged: OpenAlgo's `Connecting to …` and refusal lines name none,
 * and one user's retry after another user's refusal is no storm. The SDK's `Attempting to
 * resubscribe/reconnect` is logged before its sleep, not at its handshake, so it is not an attempt here.
 */
export class RetryAfterRefusalRule implements Rule {
  readonly name = 'retry-after-refusal';
  private readonly subjects: SubjectMap<Subject>;

  constructor(private readonly floorMs: number) {
    this.subjects = new SubjectMap<Subject>({
      isQuiet: (s, now) => s.refused === undefined || now - s.refused.time >= floorMs,
      fired: (s) => s.builder.count > 0,
      findingOf: (s) => this.findingOf(s),
    });
  }

  observe(ev: LogEvent): void {
    if (ev.user === undefined || (ev.kind !== 'refused' && ev.kind !== 'attempt')) return;
    const key = subjectKey(ev);
    let s = this.subjects.get(key);
    if (ev.kind === 'refused') {
      if (!s) {
        s = { builder: new FindingBuilder(this.name, 'error', ev.user, ev.broker), refused: undefined, closestMs: Number.POSITIVE_INFINITY };
        this.subjects.set(key, s, ev.time);
      }
      s.refused = ev;
      return;
    }
    const refused = s?.refused;
    if (!s || !refused) return;
    const gap = ev.time - refused.time;
    // Stamped before the refusal though written after it: a handshake begun alongside, not a retry.
    if (gap < 0) return;
    s.refused = undefined;
    if (gap >= this.floorMs) return;
    s.closestMs = Math.min(s.closestMs, gap);
    // The refusal is evidence too: the gap is read off the two lines.
    s.builder.add(refused.time, refused.zoned, refused.ref, false);
    s.builder.add(ev.time, ev.zoned, ev.ref);
  }

  finish(): RuleFinding[] {
    return this.subjects.findings(this.name);
  }

  private findingOf(s: Subject): RuleFinding {
    return s.builder.build(
      `${s.builder.count} handshake(s) for ${subjectText(s.builder.user, s.builder.broker)} dialled under ${durationText(this.floorMs)} ` +
        `after the broker refused the one before with 429 (closest ${Math.round(s.closestMs)} ms): no back-off on the connection limit, or a second connector`,
    );
  }
}
