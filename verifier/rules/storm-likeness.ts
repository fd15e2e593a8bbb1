import { subjectKey, type LogEvent } from '../classify/log-event.ts';
import { TimeWindow } from './time-window.ts';

/** Refusals per minute for one subject from which they are a storm, whatever the spacing. */
export const STORM_RATE_PER_MINUTE = 10;
/** Gaps under this, not growing, over `NO_BACKOFF_RUN` attempts in a row: no back-off. */
export const NO_BACKOFF_GAP_MS = 5_000;
export const NO_BACKOFF_RUN = 3;
// The websocket-client line and the adapter's error line report one refused handshake.
const SAME_ATTEMPT_MS = 500;

/**
 * Tells a storm from a well-behaved client refused because someone else holds the slots
 * (docs/rules.md#broker-429): refused or unanswered attempts are storm-like when they come at 10 or more a
 * minute, when 3 in a row come under 5 s apart without the gaps growing, or when they overlap an open
 * connection of the same subject. Otherwise the client backed off and the finding is a warning.
 */
export class StormLikeness {
  private readonly minute = new TimeWindow<number>(60_000);
  private last: number | undefined;
  private lastGap: number | undefined;
  private run = 1;
  peakPerMinute = 0;
  noBackoff = false;
  overlapping = false;
  distinct = 0;

  add(time: number, overlapsOpenConnection: boolean): void {
    if (overlapsOpenConnection) this.overlapping = true;
    if (this.last !== undefined && Math.abs(time - this.last) <= SAME_ATTEMPT_MS) return;
    this.distinct++;
    this.peakPerMinute = Math.max(this.peakPerMinute, this.minute.add(time, time));
    if (this.last !== undefined) {
      const gap = time - this.last;
      const shrinking = gap < NO_BACKOFF_GAP_MS && (this.lastGap === undefined || gap <= this.lastGap);
      this.run = shrinking ? this.run + 1 : gap < NO_BACKOFF_GAP_MS ? 2 : 1;
      if (this.run >= NO_BACKOFF_RUN) this.noBackoff = true;
      this.lastGap = gap;
    }
    this.last = time;
  }

  get stormLike(): boolean {
    return this.peakPerMinute >= STORM_RATE_PER_MINUTE || this.noBackoff || this.overlapping;
  }

  /** Why it is a storm, or what the calm pattern probably means. */
  why(verb: string): string {
    if (this.peakPerMinute >= STORM_RATE_PER_MINUTE) return `up to ${this.peakPerMinute} a minute`;
    if (this.noBackoff) return `${NO_BACKOFF_RUN} or more in a row under ${NO_BACKOFF_GAP_MS / 1000} s apart without backing off`;
    if (this.overlapping) return 'while a connection of the same user was open';
    return `the broker ${verb} ${this.distinct} connection(s) with back-off in place; the limit may be held by another application`;
  }
}

/** Which subjects hold an open upstream connection (`Connected` not yet followed by a close or teardown). */
export class OpenConnections {
  private readonly open = new Set<string>();

  observe(ev: LogEvent): void {
    if (ev.kind === 'connected') this.open.add(subjectKey(ev));
    else if (ev.kind === 'closed' || ev.kind === 'teardown' || ev.kind === 'remove') this.open.delete(subjectKey(ev));
  }

  /** Whether a fresh attempt (attempt 1 or none named) comes while the subject is connected. */
  overlaps(ev: LogEvent): boolean {
    return (ev.attempt === undefined || ev.attempt === 1) && this.open.has(subjectKey(ev));
  }
}
