import { describe, expect, it } from 'vitest';
import type { BrokerEvent, MockBrokerStats } from '../../mock-broker/index.ts';
import type { BrokerRecord } from '../../scenarios/evidence/broker-evidence.ts';
import { BROKER_CHECK, judgeBroker, type BrokerJudgementInput } from '../../scenarios/probe/broker-verdict.ts';

function stats(overrides: Partial<MockBrokerStats> = {}): MockBrokerStats {
  return { limit: 2, current: {}, peak: {}, accepted: 0, rejected: { '401': 0, '429': 0 }, subscriptions: {}, ticksSent: 0, ...overrides };
}

const T0 = Date.UTC(2026, 11, 7, 9, 15, 0);
const at = (ms: number) => T0 + ms;
const opened = (ms: number, id: number, count = 1): BrokerEvent => ({ type: 'accepted', time: at(ms), clientCode: 'A', connectionId: id, count });
const closed = (ms: number, id: number, count = 0): BrokerEvent => ({ type: 'closed', time: at(ms), clientCode: 'A', connectionId: id, count, reason: 'client closed (1000)' });
const refused = (ms: number, reason = 'connection limit'): BrokerEvent => ({ type: 'rejected', time: at(ms), clientCode: 'A', status: 429, reason, count: 1 });

/** A 20 s probe window whose one client was connected throughout, except where `spans` says otherwise. */
function input(events: BrokerEvent[], overrides: Partial<BrokerJudgementInput> = {}): BrokerJudgementInput {
  const before: BrokerRecord = { stats: stats(), events: [] };
  return {
    before,
    after: { stats: stats(), events },
    from: at(0),
    to: at(20_000),
    clientSpans: [{ from: at(0), to: at(20_000) }],
    tokens: 12,
    faults: [],
    ...overrides,
  };
}

const check = (name: string, checks: ReturnType<typeof judgeBroker>['checks']) => checks.find((c) => c.name === name)!;

describe("the probe's verdict from the broker's record alone", () => {
  // Issue 21: OpenAlgo 2026-08 opened 3 upstream connections in 20 s for one user, one after the other,
  // and the default probe passed it: the broker-side checks counted only overlaps, 429s and zombies.
  it('three connections one after the other, with no fault to excuse them, fail as client churn turned into upstream churn', () => {
    const spans = [{ from: at(0), to: at(5_000) }, { from: at(5_400), to: at(10_000) }, { from: at(10_350), to: at(20_000) }];
    const events = [opened(100, 1), closed(5_000, 1), opened(5_450, 2), closed(10_000, 2), opened(10_400, 3)];

    const { checks } = judgeBroker(input(events, { clientSpans: spans }));

    const churn = check(BROKER_CHECK.churn, checks);
    expect(churn.status).toBe('fail');
    expect(churn.detail).toContain('client churn turned into upstream churn');
    expect(churn.detail).toContain('A: 3 opened, budget 1');
    expect(churn.detail).toMatch(/#2 09:15:05\.450 after 0\.4 s with no client/);
    expect(churn.detail).toMatch(/#3 09:15:10\.400 after 0\.35 s with no client/);
    // A linger shorter than the probe's gaps is this churn by design: the message says so.
    expect(churn.detail).toMatch(/linger shorter than 0\.4 s/);
  });

  it('one reconnect per fault that ended a connection is within budget', () => {
    const events = [opened(100, 1), closed(5_000, 1), opened(6_000, 2)];
    const faults = [{ type: 'drop-all' as const, at: at(5_000), affectedByClientCode: { A: 1 } }];

    const { checks } = judgeBroker(input(events, { faults }));

    expect(check(BROKER_CHECK.churn, checks)).toMatchObject({ status: 'pass', detail: 'A: 2 opened, budget 2' });
  });

  it('a stall the probe injected while a connection was open allows one reconnect too', () => {
    const events = [opened(100, 1), closed(3_000, 1), opened(3_800, 2)];
    const { checks } = judgeBroker(input(events, { faults: [{ type: 'stall', at: at(1_000) }] }));
    expect(check(BROKER_CHECK.churn, checks).status).toBe('pass');
  });

  it('more than 1,000 distinct tokens allow a pool: one connection per 1,000', () => {
    const events = [opened(100, 1), opened(200, 2, 2)];
    const { checks } = judgeBroker(input(events, { tokens: 1_500 }));
    expect(check(BROKER_CHECK.churn, checks).status).toBe('pass');
    expect(check(BROKER_CHECK.overlap, checks).status).toBe('pass');
  });

  it('refusals the probe provoked are excused when the deployment waited out the back-off floor', () => {
    const events = [opened(100, 1), closed(5_000, 1), refused(5_100, 'reject-next fault'), opened(10_200, 2)];
    const faults = [{ type: 'drop-all' as const, at: at(5_000), affectedByClientCode: { A: 1 } }, { type: 'reject-next' as const, at: at(4_990) }];

    const { checks } = judgeBroker(input(events, { faults }));

    expect(check(BROKER_CHECK.refusals, checks)).toMatchObject({ status: 'pass', detail: '1 refusal(s), all provoked by the probe (A: 1) and retried after 5100 ms at the soonest' });
  });

  it('a provoked refusal retried faster than the back-off floor fails, naming the gap', () => {
    const events = [opened(100, 1), closed(5_000, 1), refused(5_100, 'reject-next fault'), opened(5_110, 2)];
    const faults = [{ type: 'drop-all' as const, at: at(5_000), affectedByClientCode: { A: 1 } }, { type: 'reject-next' as const, at: at(4_990) }];

    const { checks } = judgeBroker(input(events, { faults }));

    const refusals = check(BROKER_CHECK.refusals, checks);
    expect(refusals.status).toBe('fail');
    expect(refusals.detail).toContain('A retried 10 ms after a refusal at 09:15:05.100 (the back-off floor is 500 ms)');
  });

  it('a 429 the probe did not provoke fails', () => {
    const events = [opened(100, 1), refused(200)];
    const refusals = check(BROKER_CHECK.refusals, judgeBroker(input(events)).checks);
    expect(refusals.status).toBe('fail');
    expect(refusals.detail).toContain("1 × 429 the probe did not provoke (A: 1)");
  });

  // Issue 21: a failing probe listed an empty overlap, because the other connection had opened before the window.
  it('an overlap names a connection opened before the probe window', () => {
    const before: BrokerRecord = { stats: stats({ current: { A: 1 }, peak: { A: 1 } }), events: [opened(-60_000, 7)] };
    const events = [opened(-60_000, 7), opened(2_000, 8, 2)];

    const { checks, evidence } = judgeBroker(input(events, { before }));

    const overlap = check(BROKER_CHECK.overlap, checks);
    expect(overlap.status).toBe('fail');
    expect(overlap.detail).toMatch(/#7 A 09:14:00\.000–still open.*#8 A 09:15:02\.000–still open/);
    expect(evidence.overlaps[0]?.connections.map((c) => c.id)).toEqual([7, 8]);
  });

  it('a connection opened while no client was connected is a zombie', () => {
    const spans = [{ from: at(0), to: at(5_000) }, { from: at(9_000), to: at(20_000) }];
    const events = [opened(100, 1), closed(5_010, 1), opened(6_000, 2)];
    const zombie = check(BROKER_CHECK.zombie, judgeBroker(input(events, { clientSpans: spans })).checks);
    expect(zombie.status).toBe('fail');
    expect(zombie.detail).toContain('#2 A 09:15:06.000');
  });
});
