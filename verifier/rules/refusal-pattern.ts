import type { LogEvent } from '../classify/log-event.ts';
import { durationText } from './duration-text.ts';
import type { Thresholds } from './rule.ts';
import { SubjectColumn } from './subject-column.ts';
import { NO_SUBJECT, SubjectTable } from './subject-table.ts';
import { TimeWindow } from './time-window.ts';

const MINUTE_MS = 60_000;

/**
 * Tells a storm from a client refused because someone else holds the slots (docs/rules.md#refusals):
 * refused or unanswered handshakes of one subject are an error when they sustain `refusalRate` a minute,
 * when they come while the subject already holds the connections its tokens need, or (for 429s only,
 * `pairRule`) when two distinct refusals come closer than `refusalPairMs`. Otherwise the client backed
 * off and the finding is a warning: a fixed ~5 s retry (12 a minute) and OpenAlgo 2026's back-off are.
 */
export class RefusalPattern {
  private readonly minute = new TimeWindow<number>(MINUTE_MS);
  private last: number | undefined;
  private firstTime = Number.POSITIVE_INFINITY;
  private lastTime = Number.NEGATIVE_INFINITY;
  count = 0;
  peakPerMinute = 0;
  /** Gaps between consecutive refusals below `refusalPairMs`, and the closest one. */
  closePairs = 0;
  closestMs = Number.POSITIVE_INFINITY;
  /** Refusals that came while the subject held the connections it needs. */
  overlapping = 0;

  constructor(
    private readonly t: Thresholds,
    private readonly pairRule: boolean,
  ) {}

  add(time: number, overlapsNeededConnections: boolean): void {
    this.count++;
    if (overlapsNeededConnections) this.overlapping++;
    this.firstTime = Math.min(this.firstTime, time);
    this.lastTime = Math.max(this.lastTime, time);
    this.peakPerMinute = Math.max(this.peakPerMinute, this.minute.add(time, time));
    if (this.last !== undefined) {
      const gap = Math.abs(time - this.last);
      this.closestMs = Math.min(this.closestMs, gap);
      if (gap < this.t.refusalPairMs) this.closePairs++;
    }
    this.last = time;
  }

  /** Whether no later refusal can change how this one is graded: none came for a minute and a pair's gap. */
  settledBy(now: number): boolean {
    return now - this.lastTime > Math.max(MINUTE_MS, this.t.refusalPairMs);
  }

  get isError(): boolean {
    return this.peakPerMinute >= this.t.refusalRate || this.overlapping > 0 || (this.pairRule && this.closePairs > 0);
  }

  /** `in S, up to M within one minute`: when the refusals came, checkable against the log. */
  get extent(): string {
    return `in ${spanText(this.lastTime - this.firstTime)}, up to ${this.peakPerMinute} within one minute`;
  }

  /** Why it is an error, or what the calm pattern probably means. */
  why(): string {
    const reasons: string[] = [];
    if (this.peakPerMinute >= this.t.refusalRate) reasons.push(`at or above ${this.t.refusalRate} a minute`);
    if (this.pairRule && this.closePairs > 0) {
      reasons.push(`${this.closePairs} of them under ${durationText(this.t.refusalPairMs)} after the one before (closest ${spanText(this.closestMs)}): parallel connectors or no back-off`);
    }
    if (this.overlapping > 0) reasons.push(`${this.overlapping} while the same user already held the connections its tokens need`);
    if (reasons.length > 0) return reasons.join('; ');
    const closest = Number.isFinite(this.closestMs) ? `, at least ${spanText(this.closestMs)} apart` : '';
    return `backed off${closest} (below ${this.t.refusalRate} a minute); the limit may be held by another application`;
  }
}

/** A span in words with the precision a reader can check against timestamps: `5.8 s`, `56 s`, `12 min`. */
function spanText(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 10 * MINUTE_MS) return `${Math.round(ms / 1000)} s`;
  return `${Math.round(ms / MINUTE_MS)} min`;
}

/**
 * The upstream connections each subject holds open (`Connected` less closes; a teardown ends them all)
 * and how many it needs: one per `tokensPerConnection` tokens it subscribed, or as many as its pool
 * announced, at least one. Both are columns over the judgement's subject ids, not a map entry per user.
 */
export class OpenConnections {
  private readonly open = new SubjectColumn();
  /** 0 until the subject says what it needs, which is then at least 1. */
  private readonly needed = new SubjectColumn();

  constructor(
    private readonly tokensPerConnection: number,
    private readonly table: SubjectTable = new SubjectTable(),
  ) {}

  observe(ev: LogEvent): void {
    switch (ev.kind) {
      case 'connected': {
        const id = this.table.idOf(ev.broker, ev.user);
        this.open.set(id, this.open.get(id) + 1);
        return;
      }
      case 'closed': {
        const id = this.table.find(ev.broker, ev.user);
        if (id !== NO_SUBJECT) this.open.set(id, Math.max(0, this.open.get(id) - 1));
        return;
      }
      case 'teardown':
      case 'remove': {
        const id = this.table.find(ev.broker, ev.user);
        if (id === NO_SUBJECT) return;
        this.open.set(id, 0);
        this.needed.set(id, 0);
        return;
      }
      case 'subscribed':
        this.need(this.table.idOf(ev.broker, ev.user), Math.ceil((ev.count ?? 0) / this.tokensPerConnection));
        return;
      case 'pool-connection': {
        const id = this.table.idOf(ev.broker, ev.user);
        this.need(id, this.neededBy(id) + 1);
        return;
      }
      default:
    }
  }

  /** Whether a refusal, or a fresh attempt (attempt 1 or none named), comes while the subject already holds what it needs. */
  overlaps(ev: LogEvent): boolean {
    if (ev.attempt !== undefined && ev.attempt !== 1) return false;
    const id = this.table.find(ev.broker, ev.user);
    return id !== NO_SUBJECT && this.open.get(id) >= this.neededBy(id);
  }

  private neededBy(id: number): number {
    return Math.max(1, this.needed.get(id));
  }

  private need(id: number, n: number): void {
    this.needed.set(id, Math.max(n, this.neededBy(id)));
  }
}
