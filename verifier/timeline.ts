import type { EventKind, LogEvent } from './classify/log-event.ts';
import type { TimelineMinute, TimelineSecond } from './types.ts';

type Counted = 'creations' | 'attempts' | 'refusals' | 'teardowns';

/**
 * Which timeline column an event kind adds to; kinds not named here are not counted. The HTML charts
 * count by the same columns, so their figures are the text and JSON timeline's.
 */
const COLUMN: Partial<Record<EventKind, Counted>> = {
  create: 'creations',
  attempt: 'attempts',
  'sdk-retry': 'attempts',
  reconnect: 'attempts',
  'forced-reconnect': 'attempts',
  refused: 'refusals',
  teardown: 'teardowns',
  remove: 'teardowns',
};

/** The timeline column an event adds to, if any. */
export function timelineColumn(kind: EventKind): Counted | undefined {
  return COLUMN[kind];
}

/**
 * Counts adapter creations, upstream attempts, 429 refusals and teardowns per minute, and per second
 * and subject (user, broker) for a drawn timeline. Both are bounded by the log's span in time, not by
 * its size, so a 1 GiB log costs no more than its busiest seconds.
 */
export class Timeline {
  private readonly minutes = new Map<number, TimelineMinute>();
  private readonly seconds = new Map<string, TimelineSecond & { sec: number }>();

  observe(ev: LogEvent): void {
    const field = timelineColumn(ev.kind);
    if (!field) return;
    const minute = Math.floor(ev.time / 60_000);
    let m = this.minutes.get(minute);
    if (!m) {
      m = { minute: new Date(minute * 60_000).toISOString().slice(0, 16), creations: 0, attempts: 0, refusals: 0, teardowns: 0 };
      this.minutes.set(minute, m);
    }
    m[field]++;
    const sec = Math.floor(ev.time / 1000);
    const key = `${sec}\u0000${ev.broker ?? ''}\u0000${ev.user ?? ''}`;
    let s = this.seconds.get(key);
    if (!s) {
      s = { sec, second: new Date(sec * 1000).toISOString().slice(0, 19), creations: 0, attempts: 0, refusals: 0, teardowns: 0, first: { ...ev.ref } };
      if (ev.user !== undefined) s.user = ev.user;
      if (ev.broker !== undefined) s.broker = ev.broker;
      this.seconds.set(key, s);
    }
    s[field]++;
  }

  /** The minutes that saw any of these, in time order. */
  rows(): TimelineMinute[] {
    return [...this.minutes.entries()].sort((a, b) => a[0] - b[0]).map(([, m]) => m);
  }

  /** Per second and subject, in time order. */
  secondRows(): TimelineSecond[] {
    return [...this.seconds.values()].sort((a, b) => a.sec - b.sec).map(({ sec: _sec, ...row }) => row);
  }
}

/** Adds per-minute rows of several timelines into one. */
export function sumMinutes(lists: readonly TimelineMinute[][]): TimelineMinute[] {
  const by = new Map<string, TimelineMinute>();
  for (const m of lists.flat()) {
    const t = by.get(m.minute);
    if (!t) by.set(m.minute, { ...m });
    else {
      t.creations += m.creations;
      t.attempts += m.attempts;
      t.refusals += m.refusals;
      t.teardowns += m.teardowns;
    }
  }
  return [...by.values()].sort((a, b) => (a.minute < b.minute ? -1 : a.minute > b.minute ? 1 : 0));
}
