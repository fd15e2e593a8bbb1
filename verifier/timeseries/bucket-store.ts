/**
 * Bucket widths a chart may use, each a whole multiple of the one before, so buckets merge exactly
 * when the width grows (100 ms … 1 day).
 */
export const BUCKET_WIDTHS_MS = [
  100, 200, 1_000, 2_000, 10_000, 30_000, 60_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 21_600_000, 86_400_000,
] as const;

/** At most this many buckets span the whole run: a multi-hour log still draws a few thousand points. */
export const MAX_BUCKETS = 2_000;

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
 * Counts per bucket for many subjects on one shared time axis. The width grows
 * (merging buckets) whenever the span from the first to the last bucket would pass {@link MAX_BUCKETS},
 * so memory and output stay bounded however long the input is, without knowing its span in advance.
 * The width starts at `minWidthMs`.
 */
export class BucketStore<Field extends string> {
  private widthIndex: number;
  private lowest = Number.POSITIVE_INFINITY;
  private highest = Number.NEGATIVE_INFINITY;
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
    if (index < this.lowest) this.lowest = index;
    if (index > this.highest) this.highest = index;
    while (this.highest - this.lowest + 1 > MAX_BUCKETS && this.widthIndex < BUCKET_WIDTHS_MS.length - 1) {
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

  /** Bucket start times (ms) from the first to the last bucket of any subject, gaps included. */
  starts(): number[] {
    if (this.empty) return [];
    const out: number[] = [];
    for (let i = this.lowest; i <= this.highest; i++) out.push(i * this.widthMs);
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
    for (let i = this.lowest; i <= this.highest; i++) {
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
    this.lowest = Math.floor(this.lowest / ratio);
    this.highest = Math.floor(this.highest / ratio);
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
