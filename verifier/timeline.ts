import type { EventKind, LogEvent } from './classify/log-event.ts';
import { MinuteRows, type MinuteField } from './minute-rows.ts';
import type { TimelineMinute, TimelineSecond } from './types.ts';

type Counted = MinuteField;

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

/** Per-second rows kept before they are coarsened to twice the width: bounds memory whatever the log's span. */
export const MAX_SECOND_ROWS = 20_000;
/** Subjects drawn on their own per second; events of later ones are summed into one `otherSubjects` row. */
export const MAX_TIMELINE_SUBJECTS = 100;

type SecondRow = TimelineSecond & { sec: number };

/**
 * Counts adapter creations, upstream attempts, 429 refusals and teardowns per minute, and per second
 * and subject (user, broker) for a drawn timeline. Memory stays bounded whatever the log holds: past
 * {@link MAX_TIMELINE_SUBJECTS} subjects the rest share one row per second, and past
 * {@link MAX_SECOND_ROWS} rows the seconds coarsen to 2 s, 4 s, … buckets (`widthSeconds`).
 */
export class Timeline {
  private readonly minutes = new MinuteRows();
  private seconds = new Map<string, SecondRow>();
  private readonly subjects = new Set<string>();
  private width = 1;

  observe(ev: LogEvent): void {
    const field = timelineColumn(ev.kind);
    if (!field) return;
    this.minutes.add(Math.floor(ev.time / 60_000), field, 1);
    const subject = `${ev.broker ?? ''}\u0000${ev.user ?? ''}`;
    if (!this.subjects.has(subject) && this.subjects.size < MAX_TIMELINE_SUBJECTS) this.subjects.add(subject);
    const own = this.subjects.has(subject);
    const row = this.rowFor(Math.floor(ev.time / 1000), own ? subject : '\u0001', ev, own);
    row[field]++;
  }

  /** The minutes (or, for a long log, wider rows) that saw any of these, in time order. */
  rows(): TimelineMinute[] {
    return this.minutes.rows();
  }

  /** Per second (or coarser bucket) and subject, in time order. */
  secondRows(): TimelineSecond[] {
    return [...this.seconds.values()].sort((a, b) => a.sec - b.sec).map(({ sec: _sec, ...row }) => row);
  }

  private rowFor(second: number, subject: string, ev: LogEvent, own: boolean): SecondRow {
    const sec = second - (((second % this.width) + this.width) % this.width);
    const key = `${sec}\u0000${subject}`;
    let s = this.seconds.get(key);
    if (s) return s;
    s = { sec, second: new Date(sec * 1000).toISOString().slice(0, 19), creations: 0, attempts: 0, refusals: 0, teardowns: 0, first: { ...ev.ref } };
    if (this.width > 1) s.widthSeconds = this.width;
    if (!own) s.otherSubjects = true;
    else {
      if (ev.user !== undefined) s.user = ev.user;
      if (ev.broker !== undefined) s.broker = ev.broker;
    }
    this.seconds.set(key, s);
    if (this.seconds.size > MAX_SECOND_ROWS) this.coarsen();
    return this.seconds.get(key) ?? this.rowFor(second, subject, ev, own);
  }

  /** Doubles the bucket width and merges the rows that now share a bucket (keeping the first line read). */
  private coarsen(): void {
    this.width *= 2;
    const merged = new Map<string, SecondRow>();
    for (const [key, row] of this.seconds) {
      const sec = row.sec - (((row.sec % this.width) + this.width) % this.width);
      const subject = key.slice(key.indexOf('\u0000') + 1);
      const into = merged.get(`${sec}\u0000${subject}`);
      if (!into) {
        merged.set(`${sec}\u0000${subject}`, { ...row, sec, second: new Date(sec * 1000).toISOString().slice(0, 19), widthSeconds: this.width });
        continue;
      }
      into.creations += row.creations;
      into.attempts += row.attempts;
      into.refusals += row.refusals;
      into.teardowns += row.teardowns;
    }
    this.seconds = merged;
  }
}
