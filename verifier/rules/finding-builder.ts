import type { LineRef } from '../classify/log-event.ts';
import { formatTime } from '../parse/log-record.ts';
import type { Finding, Severity, StormKind } from '../types.ts';

const MAX_EVIDENCE = 5;

/** Accumulates the lines behind one finding: count, first/last time, the first few `file:line` refs. */
export class FindingBuilder {
  count = 0;
  private first = Number.POSITIVE_INFINITY;
  private firstZoned = false;
  private last = Number.NEGATIVE_INFINITY;
  private lastZoned = false;
  private readonly evidence: string[] = [];
  private readonly seen = new Set<string>();

  constructor(
    readonly rule: string,
    readonly severity: Severity,
    readonly user?: string,
    readonly broker?: string,
  ) {}

  /** Records one contributing line; `counted` false adds evidence and time without raising the count. */
  add(time: number, zoned: boolean, ref: LineRef, counted = true): void {
    if (counted) this.count++;
    if (time < this.first) {
      this.first = time;
      this.firstZoned = zoned;
    }
    if (time > this.last) {
      this.last = time;
      this.lastZoned = zoned;
    }
    const at = `${ref.file}:${ref.line}`;
    if (this.evidence.length < MAX_EVIDENCE && !this.seen.has(at)) {
      this.seen.add(at);
      this.evidence.push(at);
    }
  }

  build(message: string, stormKind?: StormKind): Finding {
    const finding: Finding = {
      rule: this.rule,
      severity: this.severity,
      message,
      count: this.count,
      first: formatTime(this.first, this.firstZoned),
      last: formatTime(this.last, this.lastZoned),
      evidence: this.evidence,
    };
    if (this.user !== undefined) finding.user = this.user;
    if (this.broker !== undefined) finding.broker = this.broker;
    if (stormKind !== undefined) finding.stormKind = stormKind;
    return finding;
  }
}

/** Who a finding is about, in words: `user rajandran (angel)` or `broker angel`. */
export function subjectText(user: string | undefined, broker: string | undefined): string {
  if (user !== undefined) return broker !== undefined ? `user ${user} (${broker})` : `user ${user}`;
  return broker !== undefined ? `broker ${broker}` : 'an unnamed broker';
}
