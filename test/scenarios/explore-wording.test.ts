import { describe, expect, it } from 'vitest';
import type { ExplorePlan } from '../../scenarios/explore/explore-plan.ts';
import { failureWords, planSteps } from '../../scenarios/explore/plan-wording.ts';
import { renderReplayReport } from '../../scenarios/explore/explore-text.ts';

const RELIANCE = { symbol: 'RELIANCE', exchange: 'NSE' };
const drop = { type: 'drop-all' as const, mode: 'abort' as const, clientCode: 'DEMO1' };

/** Two clients start, the broker cuts the deployment's connection, every client leaves inside the retry sleep. */
const plan: ExplorePlan = {
  version: 1,
  seed: 3,
  clientActions: [
    { atMs: 0, action: 'connect', client: 0 },
    { atMs: 0, action: 'authenticate', client: 0 },
    { atMs: 0, action: 'subscribe', client: 0, symbols: [RELIANCE], mode: 1 },
    { atMs: 0, action: 'connect', client: 1 },
    { atMs: 100, action: 'authenticate', client: 1 },
    { atMs: 1400, action: 'leave', clients: 'all', abrupt: true },
    { atMs: 5000, action: 'end', watchMs: 25_000 },
  ],
  faults: [
    { atMs: 1000, after: 'start', fault: drop },
    { atMs: 200, after: { firstConnection: 'DEMO1' }, fault: { type: 'reject-next', count: 2 } },
  ],
};

describe('the explorer says a sequence in words', () => {
  it('one line per moment; a join is one line; a leave inside a retry sleep says how far into it', () => {
    expect(planSteps(plan, 10_000)).toEqual([
      '0.2 s after the first connection of DEMO1: the broker refuses the next 2 handshakes with 429',
      '0 s: c0 connects, authenticates and subscribes NSE:RELIANCE (LTP)',
      '0 s: c1 connects',
      '0.1 s: c1 authenticates',
      '1 s: the broker cuts every connection of DEMO1',
      '1.4 s: all clients leave abruptly, 0.4 s into the retry sleep after the broker cuts every connection of DEMO1',
      '5 s: the sequence ends: every client still connected leaves, and the broker is watched for 25 s',
    ]);
  });

  it('the failure in one line: the last action before it, where it fell, and what followed', () => {
    const fired = [{ atMs: 1000, fault: drop }];

    expect(failureWords(plan, { kind: 'zombie', atMs: 3400 }, fired, 10_000)).toBe(
      'all clients leave abruptly, 0.4 s into the retry sleep after the broker cuts every connection of DEMO1 → zombie upstream 2 s later',
    );
    // Without the deployment's reconnect delay, the sleep is not claimed.
    expect(failureWords(plan, { kind: 'churn', atMs: 1500 }, fired)).toBe(
      'all clients leave abruptly → a new upstream connection (client churn turned into upstream churn) 0.1 s later',
    );
    // The end of the sequence is every client leaving.
    expect(failureWords(plan, { kind: 'zombie', atMs: 5600 }, [{ atMs: 4500, fault: drop }], 10_000)).toBe(
      'all clients leave as the sequence ends, 0.5 s into the retry sleep after the broker cuts every connection of DEMO1 → zombie upstream 0.6 s later',
    );
    // A join is said whole.
    const rejoin: ExplorePlan = { ...plan, clientActions: plan.clientActions.slice(0, 3) };
    expect(failureWords(rejoin, { kind: 'churn', atMs: 50 }, [])).toBe(
      'c0 connects, authenticates and subscribes NSE:RELIANCE (LTP) → a new upstream connection (client churn turned into upstream churn) 0.05 s later',
    );
    // A fault after the last action is the cause.
    expect(failureWords(plan, { kind: 'overlap', atMs: 1200 }, fired)).toBe('the broker cuts every connection of DEMO1 → two upstream connections at once 0.2 s later');
  });

  it('a replay report counts the failing runs: "9 of 10 replays fail"', () => {
    const runs = Array.from({ length: 10 }, (_, i) => (i === 4 ? { failed: false, violations: [] } : { failed: true, violations: [], summary: 'x → zombie upstream 1 s later' }));
    const text = renderReplayReport({ schemaVersion: 1, command: 'probe', mode: 'replay', target: 'ws://h/', file: 'r.json', times: 10, failed: 9, verdict: 'fail', steps: ['0 s: c0 connects'], runs });

    expect(text).toContain('verdict: FAIL — 9 of 10 replays fail');
    expect(text).toContain('   5. pass');
    expect(text).toContain('   1. FAIL: x → zombie upstream 1 s later');
  });
});
