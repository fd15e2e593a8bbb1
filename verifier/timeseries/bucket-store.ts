import { placeFor } from '../sorted-place.ts';

/**
 * Bucket widths a chart may use, each a whole multiple of the one before, so buckets merge exactly
 * when the width grows (100 ms … 1 day).
 */
export const BUCKET_WIDTHS_MS = [
  100, 200, 1_000, 2_000, 10_000, 30_000, 60_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 21_600_000, 86_400_000,
] as const;

/** At most this many buckets are drawn: a multi-hour log still draws a few thousand points. */
export const MAX_BUCKETS = 2_000;

/**
 * A stretch with no event longer than this is cut short on the axis, to {@link KEPT_IDLE_MS}: logs months
 * apart then keep the resolution of their busy minutes, and a storm is not averaged into a day's bucket.
 */
export const IDLE_GAP_MS = 5 * 60_000;
export const KEPT_IDLE_MS = 60_000;

/** An idle stretch cut short: the axis position where the next busy stretch starts, its real start, how much was hidden. */
export interface AxisBreak {
  atMs: number;
  realMs: number;
  hiddenMs: number;
}

/** Where a real time falls on an axis with these breaks (a time inside a hidden stretch sits at its break). */
export function toAxis(breaks: readonly AxisBreak[], realMs: number): number {
  let shift = 0;
  for (const b of breaks) {
    if (realMs < b.realMs) return Math.min(realMs - shift, b.atMs);
    shift += b.hiddenMs;
  }
  return realMs - shift;
}

/**
 * How a series combines what falls into one bucket: summed counts, or a level (the highest it reached
 * in the bucket; a bucket in which it did not change carries the level it was last set to).
 */
export type Combine = 'sum' | 'level';

interface Bucket<Field extends string> {
  value: Record<Field, number>;
  /** For levels: the value last set in this bucket, NaN when not set. */
  last: Record<Field, number>;
}

/**
 * Counts per bucket for many subjects on one shared time axis. Idle stretches longer than
 * {@link IDLE_GAP_MS} are cut short ({@link breaks}); the width grows (merging buckets) whenever the
 * buckets drawn would pass {@link MAX_BUCKETS}, so memory and output stay bounded however long the input
 * is, without knowing its span in advance. The width starts at `minWidthMs`.
 */
export class BucketStore<Field extends string> {
  private widthIndex: number;
  /** Indices of the buckets any subject has, ascending. */
  private occupied: number[] = [];
  /** Buckets drawn: the occupied ones and the empty ones between them that are not cut out. */
  private drawn = 0;
  private readonly subjects = new Map<string, Map<number, Bucket<Field>>>();

  /** `minWidthMs`: the narrowest bucket, one of {@link BUCKET_WIDTHS_MS}; log timestamps rarely mean more than 1 s. */
  constructor(
    private readonly combine: Readonly<Record<Field, Combine>>,
    minWidthMs: (typeof BUCKET_WIDTHS_MS)[number] = 1_000,
  ) {
    this.widthIndex = BUCKET_WIDTHS_MS.indexOf(minWidthMs);
  }

  get widthMs(): number {
    return BUCKET_WIDTHS_MS[this.widthIndex];
  }

  /** Whether anything was added. */
  get empty(): boolean {
    return this.subjects.size === 0;
  }

  /** Adds `by` to a summed field, or sets a level field to `by`, at `time` (ms) for `subject`. */
  add(subject: string, time: number, field: Field, by = 1): void {
    let index = Math.floor(time / this.widthMs);
    this.occupy(index);
    while (this.drawn > MAX_BUCKETS && this.widthIndex < BUCKET_WIDTHS_MS.length - 1) {
      this.widen();
      index = Math.floor(time / this.widthMs);
    }
    const bucket = this.bucket(subject, index);
    if (this.combine[field] === 'sum') bucket.value[field] += by;
    else {
      bucket.value[field] = Number.isNaN(bucket.value[field]) ? by : Math.max(bucket.value[field], by);
      bucket.last[field] = by;
    }
  }

  /** Start times (ms) of the buckets drawn, from the first to the last of any subject, idle stretches cut short. */
  starts(): number[] {
    return this.drawnIndices().map((i) => i * this.widthMs);
  }

  /** The idle stretches cut short, in order; empty when none was. */
  breaks(): AxisBreak[] {
    const out: AxisBreak[] = [];
    let hidden = 0;
    for (let k = 1; k < this.occupied.length; k++) {
      const [a, b] = [this.occupied[k - 1], this.occupied[k]];
      const skipped = b - a - 1 - this.emptyDrawn(a, b);
      if (skipped === 0) continue;
      hidden += skipped * this.widthMs;
      out.push({ atMs: b * this.widthMs - hidden, realMs: b * this.widthMs, hiddenMs: skipped * this.widthMs });
    }
    return out;
  }

  subjectNames(): string[] {
    return [...this.subjects.keys()];
  }

  /**
   * One subject's field over {@link starts}. Empty buckets count 0; a level is null until first set and
   * then carries its last value through buckets in which it did not change.
   */
  values(subject: string, field: Field): (number | null)[] {
    const buckets = this.subjects.get(subject);
    const isLevel = this.combine[field] === 'level';
    const out: (number | null)[] = [];
    let carried: number | null = null;
    for (const i of this.drawnIndices()) {
      const b = buckets?.get(i);
      if (!isLevel) out.push(b?.value[field] ?? 0);
      else if (b === undefined || Number.isNaN(b.value[field])) out.push(carried);
      else {
        out.push(carried === null ? b.value[field] : Math.max(carried, b.value[field]));
        carried = b.last[field];
      }
    }
    return out;
  }

  /** Empty buckets drawn between occupied `a` and `b`: all of a short gap, {@link KEPT_IDLE_MS} of an idle one. */
  private emptyDrawn(a: number, b: number): number {
    const empty = b - a - 1;
    if (empty * this.widthMs <= IDLE_GAP_MS) return empty;
    return Math.min(empty, Math.max(1, Math.round(KEPT_IDLE_MS / this.widthMs)));
  }

  private drawnIndices(): number[] {
    const out: number[] = [];
    for (let k = 0; k < this.occupied.length; k++) {
      if (k > 0) {
        const a = this.occupied[k - 1];
        for (let i = 1, n = this.emptyDrawn(a, this.occupied[k]); i <= n; i++) out.push(a + i);
      }
      out.push(this.occupied[k]);
    }
    return out;
  }

  /** Notes a bucket index as occupied; logs mostly come in time order, so this is usually an append. */
  private occupy(index: number): void {
    const o = this.occupied;
    const k = placeFor(o, 0, index);
    if (k > 0 && o[k - 1] === index) return;
    const [a, b] = [o[k - 1], o[k]];
    if (a !== undefined && b !== undefined) this.drawn -= this.emptyDrawn(a, b);
    if (a !== undefined) this.drawn += this.emptyDrawn(a, index);
    if (b !== undefined) this.drawn += this.emptyDrawn(index, b);
    this.drawn++;
    o.splice(k, 0, index);
  }

  private bucket(subject: string, index: number): Bucket<Field> {
    let buckets = this.subjects.get(subject);
    if (!buckets) this.subjects.set(subject, (buckets = new Map()));
    let bucket = buckets.get(index);
    if (!bucket) {
      const fields = Object.keys(this.combine) as Field[];
      bucket = {
        value: Object.fromEntries(fields.map((f) => [f, this.combine[f] === 'sum' ? 0 : Number.NaN])) as Record<Field, number>,
        last: Object.fromEntries(fields.map((f) => [f, Number.NaN])) as Record<Field, number>,
      };
      buckets.set(index, bucket);
    }
    return bucket;
  }

  private widen(): void {
    const ratio = BUCKET_WIDTHS_MS[this.widthIndex + 1] / BUCKET_WIDTHS_MS[this.widthIndex];
    this.widthIndex++;
    const before = this.occupied;
    this.occupied = [];
    this.drawn = 0;
    for (const index of before) this.occupy(Math.floor(index / ratio));
    for (const [subject, buckets] of this.subjects) {
      const merged = new Map<number, Bucket<Field>>();
      // In time order, so the level a merged bucket ends on is its latest bucket's.
      for (const [index, bucket] of [...buckets].sort((a, b) => a[0] - b[0])) {
        const target = Math.floor(index / ratio);
        const into = merged.get(target);
        if (!into) merged.set(target, bucket);
        else for (const f of Object.keys(this.combine) as Field[]) mergeField(into, bucket, f, this.combine[f]);
      }
      this.subjects.set(subject, merged);
    }
  }
}

function mergeField<Field extends string>(into: Bucket<Field>, later: Bucket<Field>, f: Field, combine: Combine): void {
  if (combine === 'sum') {
    into.value[f] += later.value[f];
    return;
  }
  if (Number.isNaN(later.value[f])) return;
  into.value[f] = Number.isNaN(into.value[f]) ? later.value[f] : Math.max(into.value[f], later.value[f]);
  into.last[f] = later.last[f];
}
