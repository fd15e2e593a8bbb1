import type { LineRef } from '../classify/log-event.ts';
import { formatTime } from '../parse/log-record.ts';
import type { RuleFinding, Severity, StormKind } from '../types.ts';
import type { TimeWindow } from './time-window.ts';

const MAX_EVIDENCE = 5;

/** Accumulates the lines behind one finding: count, first/last time, the first few `file:line` refs. */
export class FindingBuilder {
  count = 0;
  private first = Number.POSITIVE_INFINITY;
  private firstZoned = false;
  private last = Number.NEGATIVE_INFINITY;
  private lastZoned = false;
  /** The earliest contributing lines, in time (then line) order. */
  private readonly evidence: Array<{ time: number; ref: LineRef }> = [];
  /**
   * The newest line the last crossing counted. A builder walks one window, which keeps its lines in
   * time order, so the lines no crossing counted yet are exactly those newer than this one: one
   * reference instead of a set of every line counted.
   */
  private lastCounted: object | undefined;

  constructor(
    readonly rule: string,
    readonly severity: Severity,
    readonly user?: string,
    readonly broker?: string,
  ) {}

  /**
   * A threshold was crossed: counts every line still in `window` that no earlier crossing counted.
   * Walking newest first stops at the first counted line, so a long burst costs O(1) per new line.
   */
  addBurst<T extends { time: number; zoned: boolean; ref: LineRef }>(window: TimeWindow<T>): void {
    let newest: T | undefined;
    window.newestFirst((e) => {
      if (e === this.lastCounted) return false;
      newest ??= e;
      this.add(e.time, e.zoned, e.ref);
      return true;
    });
    if (newest !== undefined) this.lastCounted = newest;
  }

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
    const ev = this.evidence;
    if (ev.length === MAX_EVIDENCE && !earlier(time, ref, ev[ev.length - 1])) return;
    if (ev.some((e) => e.ref.line === ref.line && e.ref.file === ref.file)) return;
    let i = ev.length;
    while (i > 0 && earlier(time, ref, ev[i - 1])) i--;
    ev.splice(i, 0, { time, ref });
    if (ev.length > MAX_EVIDENCE) ev.pop();
  }

  /** `severity` overrides the builder's, for rules that grade a finding only once it is complete. */
  build(message: string, stormKind?: StormKind, severity: Severity = this.severity): RuleFinding {
    const finding: RuleFinding = {
      rule: this.rule,
      severity,
      message,
      count: this.count,
      first: formatTime(this.first, this.firstZoned),
      last: formatTime(this.last, this.lastZoned),
      evidence: this.evidence.map((e) => ({ file: e.ref.file, line: e.ref.line })),
    };
    if (this.user !== undefined) finding.user = this.user;
    if (this.broker !== undefined) finding.broker = this.broker;
    if (stormKind !== undefined) finding.stormKind = stormKind;
    return finding;
  }
}

function earlier(time: number, ref: LineRef, than: { time: number; ref: LineRef }): boolean {
  if (time !== than.time) return time < than.time;
  if (ref.file !== than.ref.file) return ref.file < than.ref.file;
  return ref.line < than.ref.line;
}

/** Who a finding is about, in words: `user rajandran (angel)` or `broker angel`. */
export function subjectText(user: string | undefined, broker: string | undefined): string {
  if (user !== undefined) return broker !== undefined ? `user ${user} (${broker})` : `user ${user}`;
  return broker !== undefined ? `broker ${broker}` : 'an unnamed broker';
}
