import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../bench/latency-histogram.ts';
import { marketDataTimestamp } from '../../bench/openalgo-client.ts';
import { median } from '../../bench/summary.ts';

describe('benchmark measurement helpers', () => {
  it('histogram percentiles are the nearest-rank values at 1 ms resolution', () => {
    const h = new LatencyHistogram(1000);
    for (let ms = 1; ms <= 100; ms++) h.record(ms);
    expect(h.count).toBe(100);
    expect(h.percentile(50)).toBe(50);
    expect(h.percentile(99)).toBe(99);
    expect(h.percentile(100)).toBe(100);
    expect(h.max).toBe(100);
  });

  it('histogram clamps negatives to 0 and overflows into the last bucket but keeps the exact max', () => {
    const h = new LatencyHistogram(10);
    h.record(-3);
    h.record(5000);
    expect(h.percentile(50)).toBe(0);
    expect(h.percentile(100)).toBe(10);
    expect(h.max).toBe(5000);
  });

  it('merging pairs from another process equals recording the same samples', () => {
    const a = new LatencyHistogram(100);
    const b = new LatencyHistogram(100);
    const both = new LatencyHistogram(100);
    for (const ms of [3, 3, 7, 40]) {
      a.record(ms);
      both.record(ms);
    }
    for (const ms of [1, 7, 90]) {
      b.record(ms);
      both.record(ms);
    }
    a.merge(b.toPairs(), b.max);
    expect(a.toPairs()).toEqual(both.toPairs());
    expect(a.max).toBe(90);
    expect(a.percentile(50)).toBe(both.percentile(50));
  });

  it('reads data.timestamp from a market_data frame as the gateway writes it, in every mode', () => {
    const ltp = { type: 'market_data', symbol: 'SBIN', exchange: 'NSE', mode: 1, broker: 'angel', data: { ltp: 801.5, ltt: 1795698479336, timestamp: 1795698479337 } };
    const quote = { ...ltp, mode: 2, data: { ltp: 801.5, ltt: 1, volume: 10, open: 1, high: 2, low: 0.5, close: 1, last_trade_quantity: 3, average_price: 1, total_buy_quantity: 5, total_sell_quantity: 6, timestamp: 1795698479338 } };
    expect(marketDataTimestamp(Buffer.from(JSON.stringify(ltp)))).toBe(1795698479337);
    expect(marketDataTimestamp(Buffer.from(JSON.stringify(quote)))).toBe(1795698479338);
    expect(marketDataTimestamp(Buffer.from('{"type":"market_data","data":{}}'))).toBe(-1);
  });

  it('median of odd and even lists', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});
