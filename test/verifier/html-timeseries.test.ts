import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../verifier/classify/log-event.ts';
import { BucketStore, MAX_BUCKETS, toAxis } from '../../verifier/timeseries/bucket-store.ts';
import { EventSeriesBuilder } from '../../verifier/timeseries/event-series.ts';
import { mulberry32 } from '../../mock-broker/index.ts';
import { planPhases } from '../../scenarios/traffic/plan-phases.ts';
import { loadSymbolUniverse } from '../../scenarios/traffic/symbol-universe.ts';
import { planTraffic } from '../../scenarios/traffic/traffic-plan.ts';

const T0 = Date.UTC(2025, 10, 11, 9, 45, 0);
const ref = { file: 'app.log', line: 1 };
const event = (kind: LogEvent['kind'], time: number, extra: Partial<LogEvent> = {}): LogEvent => ({
  kind,
  time,
  zoned: true,
  broker: 'angel',
  user: 'u1',
  ref,
  ...extra,
});

describe('bucket store', () => {
  it('keeps 1 s buckets while the span fits and counts each event in its second', () => {
    const store = new BucketStore({ n: 'sum' });
    for (const ms of [0, 100, 999, 1000, 5500]) store.add('s', T0 + ms, 'n');
    expect(store.widthMs).toBe(1000);
    expect(store.values('s', 'n')).toEqual([3, 1, 0, 0, 0, 1]);
  });

  it('widens to a coarser width when the span passes the bucket limit, losing no count', () => {
    const store = new BucketStore({ n: 'sum' });
    const hours = 10;
    for (let s = 0; s < hours * 3600; s += 7) store.add('s', T0 + s * 1000, 'n');
    const values = store.values('s', 'n') as number[];
    expect(values.length).toBeLessThanOrEqual(MAX_BUCKETS);
    expect(store.widthMs).toBeGreaterThan(1000);
    expect(values.reduce((a, b) => a + b, 0)).toBe(Math.ceil((hours * 3600) / 7));
  });

  it('cuts an idle stretch of months short, keeping 1 s buckets, and maps true times onto the axis (issue 21)', () => {
    const store = new BucketStore({ n: 'sum' });
    const later = T0 + 90 * 86_400_000;
    for (let i = 0; i < 50; i++) store.add('s', T0 + i * 10, 'n');
    for (let i = 0; i < 50; i++) store.add('s', later + i * 10, 'n');
    expect(store.widthMs).toBe(1000);
    const values = store.values('s', 'n') as number[];
    expect(values).toEqual([50, ...Array(60).fill(0), 50]);
    const starts = store.starts();
    expect(starts[0]).toBe(T0);
    expect(starts.at(-1)).toBe(later);
    const breaks = store.breaks();
    expect(breaks).toEqual([{ atMs: T0 + 61_000, realMs: later, hiddenMs: later - T0 - 61_000 }]);
    expect(toAxis(breaks, later)).toBe(T0 + 61_000);
    expect(toAxis(breaks, T0 + 30_000)).toBe(T0 + 30_000);
    expect(toAxis(breaks, T0 + 86_400_000)).toBe(T0 + 61_000);
  });

  it('draws a level as its peak in a bucket and carries the last value through quiet buckets', () => {
    const store = new BucketStore({ level: 'level' });
    store.add('s', T0 + 0, 'level', 3);
    store.add('s', T0 + 200, 'level', 1);
    store.add('s', T0 + 3000, 'level', 0);
    expect(store.values('s', 'level')).toEqual([3, 1, 1, 1]);
  });

  it('keeps a level that fell inside a widened bucket as the value it ends on', () => {
    const store = new BucketStore({ level: 'level' });
    store.add('s', T0, 'level', 5);
    store.add('s', T0 + 500, 'level', 0);
    for (let i = 1; i <= MAX_BUCKETS + 5; i++) store.add('other', T0 + i * 1000, 'level', 1);
    expect(store.widthMs).toBe(2000);
    const values = store.values('s', 'level');
    expect(values[0]).toBe(5);
    expect(values[1]).toBe(0);
  });
});

describe('event series', () => {
  it('charts attempts, 429s, retries and adapters alive per user × broker', () => {
    const b = new EventSeriesBuilder();
    b.observe(event('create', T0));
    b.observe(event('attempt', T0 + 10, { attempt: 1 }));
    b.observe(event('refused', T0 + 20));
    b.observe(event('attempt', T0 + 1010, { attempt: 2 }));
    b.observe(event('create', T0 + 1020));
    b.observe(event('remove', T0 + 2000));
    b.observe(event('sdk-retry', T0 + 2500));
    b.observe(event('attempt', T0 + 3000, { user: 'u2' }));
    const s = b.build();
    expect(s.axis).toBe('clock');
    expect(s.starts).toEqual([T0, T0 + 1000, T0 + 2000, T0 + 3000]);
    const u1 = s.subjects.find((x) => x.user === 'u1')!;
    expect(u1.values).toEqual({
      attempts: [1, 1, 1, 0],
      refusals: [1, 0, 0, 0],
      retries: [0, 1, 1, 0],
      adapters: [1, 2, 2, 1],
    });
    expect(s.subjects.map((x) => x.subject)).toEqual(['angel/u1', 'angel/u2']);
  });

  it('draws by event order when every event has the same timestamp', () => {
    const b = new EventSeriesBuilder();
    for (let i = 0; i < 4; i++) b.observe(event('attempt', T0, { attempt: 1 }));
    const s = b.build();
    expect(s.axis).toBe('order');
    expect(s.starts).toEqual([0, 1000, 2000, 3000]);
    expect(s.subjects[0].values.attempts).toEqual([1, 1, 1, 1]);
  });

  it('draws a single event on the clock axis as one point', () => {
    const b = new EventSeriesBuilder();
    b.observe(event('refused', T0 + 1234));
    const s = b.build();
    expect(s.axis).toBe('clock');
    expect(s.starts).toEqual([T0 + 1000]);
    expect(s.subjects[0].values.refusals).toEqual([1]);
  });
});

describe('plan phases', () => {
  const plan = (scenario: 'churn' | 'reconnect') =>
    planTraffic({ scenario, clients: 6, durationMs: 20_000, seed: 1, universe: loadSymbolUniverse(), random: mulberry32(1) });

  it('a churn plan has its start-up burst and one shaded range per churn wave', () => {
    const kinds = planPhases(plan('churn')).map((p) => p.kind);
    expect(kinds).toEqual(['burst', 'churn', 'churn', 'churn']);
  });

  it('a reconnect plan shades each broker drop and counts the leaves it causes as the drop\'s', () => {
    const p = plan('reconnect');
    const phases = planPhases(p);
    expect(phases.filter((x) => x.kind === 'drop').map((x) => x.fromMs)).toEqual(p.brokerDrops);
    expect(phases.filter((x) => x.kind === 'churn')).toEqual([]);
  });
});
