/**
 * Reads one Prometheus histogram from /metrics text: its cumulative buckets, summed over every series of
 * that name, so the bench can quote a percentile of a gateway-side histogram without a second code path.
 */
export interface BucketCounts {
  /** [upper bound in the metric's unit, cumulative count], ascending; +Inf last. */
  buckets: [number, number][];
}

export function readHistogram(text: string, name: string): BucketCounts {
  const sums = new Map<number, number>();
  const prefix = `${name}_bucket{`;
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const le = /le="([^"]+)"/.exec(line)?.[1];
    const count = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (le === undefined || !Number.isFinite(count)) continue;
    const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
    sums.set(bound, (sums.get(bound) ?? 0) + count);
  }
  return { buckets: [...sums].sort(([a], [b]) => a - b) };
}

export function mergeHistograms(parts: BucketCounts[]): BucketCounts {
  const sums = new Map<number, number>();
  for (const part of parts) for (const [bound, count] of part.buckets) sums.set(bound, (sums.get(bound) ?? 0) + count);
  return { buckets: [...sums].sort(([a], [b]) => a - b) };
}

/** The upper bound of the bucket holding the `percent`th sample: "at most this"; NaN when empty. */
export function bucketPercentile(histogram: BucketCounts, percent: number): number {
  const total = histogram.buckets.at(-1)?.[1] ?? 0;
  if (total === 0) return Number.NaN;
  const rank = Math.ceil((percent / 100) * total);
  return histogram.buckets.find(([, count]) => count >= rank)?.[0] ?? Number.NaN;
}
