import { describe, expect, it } from 'vitest';
import type { BrokerEvent, MockBrokerStats } from '../../mock-broker/index.ts';
import type { ExplorePlan } from '../../scenarios/explore/explore-plan.ts';
import { mechanismsOf } from '../../scenarios/explore/mechanisms.ts';
import type { PlanRun } from '../../scenarios/explore/plan-runner.ts';
import { distinctTokens, judgeSequence } from '../../scenarios/explore/sequence-judge.ts';

const T0 = Date.UTC(2026, 11, 7, 9, 15, 0);
const at = (ms: number) => T0 + ms;
const stats = (): MockBrokerStats => ({ limit: 2, current: {}, peak: {}, accepted: 0, rejected: { '401': 0, '429': 0 }, subscriptions: {}, ticksSent: 0 });
const SBIN = { symbol: 'SBIN', exchange: 'NSE' };
const drop = { type: 'drop-all' as const, mode: 'abort' as const, clientCode: 'A' };

const plan: ExplorePlan = {
  version: 1,
  clientActions: [
    { atMs: 0, action: 'connect', client: 0 },
    { atMs: 0, action: 'authenticate', client: 0 },
    { atMs: 0, action: 'subscribe', client: 0, symbols: [SBIN], mode: 1 },
    { atMs: 1_200, action: 'leave', clients: 'all', abrupt: true },
    { atMs: 2_000, action: 'return', clients: 'all' },
    { atMs: 3_000, action: 'end', watchMs: 1_500 },
  ],
  faults: [{ atMs: 1_000, after: 'start', fault: drop }],
};

function run(events: BrokerEvent[], spans: { from: number; to: number }[]): PlanRun {
  return {
    from: at(0),
    to: at(4_500),
    before: { stats: stats(), events: [] },
    after: { stats: stats(), events },
    clients: [{ spans, problems: [] }],
    faults: [{ planned: plan.faults[0], firedAt: at(1_000), affected: { A: 1 }, detail: 'fired' }],
    stopped: false,
  };
}

describe("the explorer judges a sequence with the probe's broker verdict", () => {
  it('a connection opened after every client left, inside the retry sleep of a drop, is a zombie; its moment is when it opened', () => {
    const events: BrokerEvent[] = [
      { type: 'accepted', time: at(20), clientCode: 'A', connectionId: 1, count: 1 },
      { type: 'closed', time: at(1_000), clientCode: 'A', connectionId: 1, count: 0, reason: 'drop-all fault (abort)' },
      { type: 'accepted', time: at(1_900), clientCode: 'A', connectionId: 2, count: 1 },
    ];

    const verdict = judgeSequence(run(events, [{ from: at(0), to: at(1_200) }]), plan);

    expect(verdict.failed).toBe(true);
    expect(verdict.violations.map((v) => [v.kind, v.at - T0])).toEqual([['zombie', 1_900]]);
  });

  it('a reconnect the drop pays for, with a client there, passes', () => {
    const events: BrokerEvent[] = [
      { type: 'accepted', time: at(20), clientCode: 'A', connectionId: 1, count: 1 },
      { type: 'closed', time: at(1_000), clientCode: 'A', connectionId: 1, count: 0, reason: 'drop-all fault (abort)' },
      { type: 'accepted', time: at(1_100), clientCode: 'A', connectionId: 2, count: 1 },
    ];

    expect(judgeSequence(run(events, [{ from: at(0), to: at(3_000) }]), plan)).toMatchObject({ failed: false, violations: [] });
  });

  it('counts the distinct symbols a plan subscribes', () => {
    expect(distinctTokens(plan)).toBe(1);
  });

  it('names the mechanisms a run exercised: the set emptied 0.2 s into the retry sleep, and a broker drop beside the churn', () => {
    expect(mechanismsOf(plan, [{ atMs: 1_000, fault: drop }], 1_000)).toEqual(['client set empties during a retry sleep', 'leave and return inside the teardown', 'broker drop while clients churn']);
  });
});
