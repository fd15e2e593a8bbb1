import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../contract/seeded-random.ts';
import { activeSpanMs, planTraffic, SCENARIOS, type PlanOptions, type Scenario, type TrafficPlan } from '../../scenarios/traffic/traffic-plan.ts';

const universe = {
  underlyings: [
    { symbol: 'NIFTY', exchange: 'NSE_INDEX' },
    { symbol: 'BANKNIFTY', exchange: 'NSE_INDEX' },
  ],
  equities: ['RELIANCE', 'SBIN', 'INFY', 'TCS', 'HDFCBANK', 'ITC', 'LT', 'AXISBANK'].map((symbol) => ({ symbol, exchange: 'NSE' })),
};

function plan(scenario: Scenario, seed = 1, overrides: Partial<PlanOptions> = {}): TrafficPlan {
  return planTraffic({ scenario, clients: 20, durationMs: 10_000, seed, universe, random: mulberry32(seed), ...overrides });
}

describe('seeded traffic plan', () => {
  it('the same seed gives the same plan and another seed a different one', () => {
    expect(plan('all', 7)).toEqual(plan('all', 7));
    expect(plan('all', 8)).not.toEqual(plan('all', 7));
  });

  it('one app: a position monitor, a session manager and an option-chain view per underlying, each its own client', () => {
    const services = new Set(plan('burst').clients.map((c) => c.service));
    expect(services).toEqual(new Set(['position-monitor', 'session-manager', 'option-chain:NIFTY', 'option-chain:BANKNIFTY']));
    const names = plan('burst').clients.map((c) => c.name);
    expect(new Set(names).size).toBe(20);
  });

  it.each(SCENARIOS)('%s: every client connects first, subscribes, and acts only within the duration', (scenario) => {
    for (const client of plan(scenario).clients) {
      expect(client.steps[0].kind).toBe('connect');
      expect(client.steps.some((s) => s.kind === 'subscribe')).toBe(true);
      for (const step of client.steps) expect(step.at).toBeGreaterThanOrEqual(0);
      for (const step of client.steps) expect(step.at).toBeLessThan(10_000 - 4000);
      const sorted = [...client.steps].sort((a, b) => a.at - b.at);
      expect(client.steps).toEqual(sorted);
    }
  });

  it('the start is a burst: all clients connect within 50 ms and send one to three symbols per subscribe frame', () => {
    const p = plan('burst');
    const starts = p.clients.map((c) => c.steps[0].at);
    expect(Math.max(...starts)).toBeLessThanOrEqual(50);
    const batches = p.clients.flatMap((c) => c.steps.flatMap((s) => (s.kind === 'subscribe' ? s.batches : [])));
    expect(batches.every((b) => b.length >= 1 && b.length <= 3)).toBe(true);
    expect(batches.some((b) => b.length === 1)).toBe(true);
    expect(batches.some((b) => b.length > 1)).toBe(true);
  });

  it('churn empties the user\'s client set: in each wave every client disconnects before any reconnects', () => {
    const p = plan('churn');
    const disconnects = p.clients.map((c) => c.steps.filter((s) => s.kind === 'disconnect').map((s) => s.at));
    const reconnects = p.clients.map((c) => c.steps.filter((s) => s.kind === 'connect').slice(1).map((s) => s.at));
    const waves = disconnects[0].length;
    expect(waves).toBe(3);
    for (let wave = 0; wave < waves; wave++) {
      const lastClose = Math.max(...disconnects.map((d) => d[wave]));
      const firstOpen = Math.min(...reconnects.map((r) => r[wave]));
      expect(lastClose).toBeLessThan(firstOpen);
    }
  });

  it.each([
    ['churn', 3],
    ['all', 2],
  ] as const)('%s: every client of each of its %i churn waves disconnects at the same instant', (scenario, waves) => {
    const disconnects = plan(scenario).clients.map((c) => c.steps.filter((s) => s.kind === 'disconnect').map((s) => s.at));
    const shared = disconnects[0].filter((at) => disconnects.every((d) => d.includes(at)));
    expect(shared).toHaveLength(waves);
  });

  it('all: given the retry sleep, the first churn wave lands in its middle, and only the two services up by then take part', () => {
    for (const durationMs of [6000, 20_000]) {
      const p = plan('all', 1, { durationMs, retrySleepMs: 300 });
      const firstWave = Math.min(...p.clients.map((c) => c.steps.find((s) => s.kind === 'disconnect')!.at));
      expect(firstWave).toBe(50 + 150);
      const early = p.clients.filter((c) => c.steps[0].at < firstWave);
      expect(early.map((c) => c.name)).toEqual(['position-monitor#1', 'session-manager#1']);
      for (const c of early) expect(c.steps.filter((s) => s.at <= firstWave).map((s) => s.kind)).toEqual(['connect', 'subscribe', 'disconnect']);
      const laterStarts = p.clients.filter((c) => !early.includes(c)).map((c) => c.steps[0].at);
      expect(Math.min(...laterStarts)).toBeGreaterThan(firstWave + 300);
    }
    // A sleep too long for the hold: the wave stays in the hold's first half.
    const slow = plan('all', 1, { durationMs: 6000, retrySleepMs: 10_000 });
    const wave = Math.min(...slow.clients.map((c) => c.steps.find((s) => s.kind === 'disconnect')!.at));
    expect(wave).toBeLessThanOrEqual(slow.slotsHeldUntil! / 2);
  });

  it.each(SCENARIOS)('%s: a short run still ends with a quiet stretch for the gateway to recover', (scenario) => {
    const last = Math.max(...plan(scenario, 1, { durationMs: 3000 }).clients.flatMap((c) => c.steps.map((s) => s.at)));
    expect(last).toBeLessThan(3000 - 1500);
  });

  it('only reconnect and all ask the broker to drop connections', () => {
    expect(plan('burst').brokerDrops).toEqual([]);
    expect(plan('churn').brokerDrops).toEqual([]);
    expect(plan('reconnect').brokerDrops.length).toBe(2);
    expect(plan('all').brokerDrops.length).toBe(1);
  });

  it('the disruptions take the first 55 % of a long run, and leave 2.5 s of quiet in a short one', () => {
    expect(activeSpanMs(20_000)).toBe(11_000);
    expect(activeSpanMs(4000)).toBe(1500);
  });

  it('more clients than services give numbered instances of each service', () => {
    const names = plan('burst', 1, { clients: 9 }).clients.map((c) => c.name);
    expect(names).toContain('position-monitor#1');
    expect(names).toContain('position-monitor#3');
    expect(names).toContain('option-chain:NIFTY#2');
  });
});
