/**
 * Millisecond latency histogram with one bucket per ms: exact percentiles at the resolution the
 * timestamps have (the tick's exchange timestamp is epoch ms), constant memory whatever the message rate.
 * Values past the last bucket count in it; the maximum is kept exactly.
 */
export class LatencyHistogram {
  private readonly buckets: Float64Array;
  private total = 0;
  private largest = 0;

  constructor(readonly maxMs = 60_000) {
    this.buckets = new Float64Array(maxMs + 1);
  }

  get count(): number {
    return this.total;
  }

  get max(): number {
    return this.largest;
  }

  record(ms: number): void {
    const value = ms < 0 ? 0 : ms;
    this.buckets[value > this.maxMs ? this.maxMs : value] += 1;
    this.total += 1;
    if (value > this.largest) this.largest = value;
  }

  /** The smallest latency at or below which `percent` % of the samples fall; NaN when empty. */
  percentile(percent: number): number {
    if (this.total === 0) return Number.NaN;
    const rank = Math.ceil((percent / 100) * this.total);
    let seen = 0;
    for (let ms = 0; ms <= this.maxMs; ms++) {
      seen += this.buckets[ms]!;
      if (seen >= rank) return ms;
    }
    return this.maxMs;
  }

  /** Non-empty buckets as [ms, count] pairs, to send across processes. */
  toPairs(): [number, number][] {
    const pairs: [number, number][] = [];
    for (let ms = 0; ms <= this.maxMs; ms++) if (this.buckets[ms]! > 0) pairs.push([ms, this.buckets[ms]!]);
    return pairs;
  }

  /** Adds another histogram's pairs (and its exact maximum) into this one. */
  merge(pairs: [number, number][], max: number): void {
    for (const [ms, count] of pairs) {
      this.buckets[Math.min(ms, this.maxMs)] += count;
      this.total += count;
    }
    if (max > this.largest) this.largest = max;
  }

  reset(): void {
    this.buckets.fill(0);
    this.total = 0;
    this.largest = 0;
  }
}
