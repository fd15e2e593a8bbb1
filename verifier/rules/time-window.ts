/**
 * The times of the events seen within the last `spanMs` of log time, oldest first. Inputs are mostly in
 * time order; a late event (rotations read out of order, a delayed classification) is inserted in place.
 */
export class TimeWindow<T = undefined> {
  private times: number[] = [];
  private items: T[] = [];

  constructor(private readonly spanMs: number) {}

  /** Adds an event and drops those more than `spanMs` before the newest; returns how many remain. */
  add(time: number, item: T): number {
    let i = this.times.length;
    while (i > 0 && this.times[i - 1] > time) i--;
    this.times.splice(i, 0, time);
    this.items.splice(i, 0, item);
    const newest = this.times[this.times.length - 1];
    let drop = 0;
    while (drop < this.times.length && newest - this.times[drop] > this.spanMs) drop++;
    if (drop > 0) {
      this.times.splice(0, drop);
      this.items.splice(0, drop);
    }
    return this.times.length;
  }

  /** How many events fall within `spanMs` before (and including) `time`. */
  countUntil(time: number): number {
    let n = 0;
    for (const t of this.times) if (t <= time && time - t <= this.spanMs) n++;
    return n;
  }

  get size(): number {
    return this.times.length;
  }

  entries(): readonly T[] {
    return this.items;
  }

  clear(): void {
    this.times = [];
    this.items = [];
  }
}
