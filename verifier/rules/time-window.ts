import { placeFor, timeToCompact } from '../sorted-place.ts';

/**
 * The events seen within the last `spanMs` of log time, oldest first. Inputs are mostly in time order
 * (adding is then O(1) amortised); a late event (rotations read out of order, a delayed
 * classification) is placed by a binary search, and one older than the span before the newest is
 * left out at once: a clock set back by an hour made every later line walk the whole window.
 */
export class TimeWindow<T> {
  private times: number[] = [];
  private items: T[] = [];
  private head = 0;

  constructor(private readonly spanMs: number) {}

  /** Adds an event and drops those more than `spanMs` before the newest; returns how many remain. */
  add(time: number, item: T): number {
    const length = this.times.length;
    if (length > this.head && this.times[length - 1] - time > this.spanMs) return length - this.head;
    const i = placeFor(this.times, this.head, time);
    if (i === length) {
      this.times.push(time);
      this.items.push(item);
    } else {
      this.times.splice(i, 0, time);
      this.items.splice(i, 0, item);
    }
    const newest = this.times[this.times.length - 1];
    while (this.head < this.times.length && newest - this.times[this.head] > this.spanMs) this.head++;
    if (timeToCompact(this.head, this.times.length)) {
      this.times = this.times.slice(this.head);
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return this.times.length - this.head;
  }

  /** Visits the events in the window from newest to oldest until `visit` returns false. */
  newestFirst(visit: (item: T) => boolean): void {
    for (let i = this.items.length - 1; i >= this.head; i--) if (!visit(this.items[i])) return;
  }
}
