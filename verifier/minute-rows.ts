import type { TimelineMinute } from './types.ts';

/** Per-minute rows kept before they widen to twice the minutes: a week of minutes at full detail. */
export const MAX_MINUTE_ROWS = 10_000;

const MINUTE_MS = 60_000;

export type MinuteField = 'creations' | 'attempts' | 'refusals' | 'teardowns';

const FIELDS: readonly MinuteField[] = ['creations', 'attempts', 'refusals', 'teardowns'];

/**
 * Counts per minute, bounded whatever the log's span: past `limit` rows each row widens to 2, 4, …
 * minutes (`widthMinutes`), starting at a multiple of its width, so rows of any width merge exactly.
 */
export class MinuteRows {
  private rowsByStart = new Map<number, TimelineMinute>();
  private width = 1;

  constructor(private readonly limit = MAX_MINUTE_ROWS) {}

  /** Adds `by` to `field` in the row holding `minute` (minutes since the epoch). */
  add(minute: number, field: MinuteField, by: number): void {
    this.rowAt(minute)[field] += by;
  }

  /** Adds a row of another timeline, widening this one to that row's width if it is wider. */
  addRow(row: TimelineMinute): void {
    const width = row.widthMinutes ?? 1;
    while (this.width < width) this.widen();
    const into = this.rowAt(Date.parse(`${row.minute}Z`) / MINUTE_MS);
    for (const f of FIELDS) into[f] += row[f];
  }

  /** The rows, in time order. */
  rows(): TimelineMinute[] {
    return [...this.rowsByStart.entries()].sort((a, b) => a[0] - b[0]).map(([, row]) => row);
  }

  private rowAt(minute: number): TimelineMinute {
    let start = this.startOf(minute);
    let row = this.rowsByStart.get(start);
    if (row) return row;
    while (this.rowsByStart.size >= this.limit) {
      this.widen();
      start = this.startOf(minute);
      row = this.rowsByStart.get(start);
      if (row) return row;
    }
    row = this.emptyRow(start);
    this.rowsByStart.set(start, row);
    return row;
  }

  private startOf(minute: number): number {
    return minute - (((minute % this.width) + this.width) % this.width);
  }

  private emptyRow(start: number): TimelineMinute {
    const row: TimelineMinute = { minute: new Date(start * MINUTE_MS).toISOString().slice(0, 16), creations: 0, attempts: 0, refusals: 0, teardowns: 0 };
    if (this.width > 1) row.widthMinutes = this.width;
    return row;
  }

  /** Doubles the width and merges the rows that now share one. */
  private widen(): void {
    this.width *= 2;
    const merged = new Map<number, TimelineMinute>();
    for (const [start, row] of this.rowsByStart) {
      const at = this.startOf(start);
      let into = merged.get(at);
      if (!into) merged.set(at, (into = this.emptyRow(at)));
      for (const f of FIELDS) into[f] += row[f];
    }
    this.rowsByStart = merged;
  }
}
