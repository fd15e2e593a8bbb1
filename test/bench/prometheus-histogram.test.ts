import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { bucketPercentile, mergeHistograms, readHistogram } from '../../bench/prometheus-histogram.ts';

async function exposition(observations: number[], labels: Record<string, string>[] = [{}]): Promise<string> {
  const registry = new Registry();
  const lag = new Histogram({ name: 'lag_seconds', help: 'h', buckets: [0.001, 0.01, 0.1], labelNames: ['g'], registers: [registry] });
  for (const [i, value] of observations.entries()) lag.observe(labels[i % labels.length]!, value);
  return registry.metrics();
}

describe('reading a Prometheus histogram from /metrics text', () => {
  it('sums the cumulative buckets of every series and gives the bucket bound of a percentile', async () => {
    const text = await exposition([0.0005, 0.005, 0.005, 0.05, 5], [{ g: 'a' }, { g: 'b' }]);
    const histogram = readHistogram(text, 'lag_seconds');
    expect(histogram.buckets).toEqual([
      [0.001, 1],
      [0.01, 3],
      [0.1, 4],
      [Number.POSITIVE_INFINITY, 5],
    ]);
    expect(bucketPercentile(histogram, 50)).toBe(0.01);
    expect(bucketPercentile(histogram, 80)).toBe(0.1);
    expect(bucketPercentile(histogram, 99)).toBe(Number.POSITIVE_INFINITY);
    expect(bucketPercentile(mergeHistograms([histogram, readHistogram(text, 'lag_seconds')]), 20)).toBe(0.001);
  });

  it('says NaN for a histogram that is absent or empty', async () => {
    expect(bucketPercentile(readHistogram(await exposition([]), 'lag_seconds'), 99)).toBeNaN();
    expect(bucketPercentile(readHistogram('', 'other_seconds'), 50)).toBeNaN();
  });
});
