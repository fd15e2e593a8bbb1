import { describe, expect, it } from 'vitest';
import type { BrokerEvent, MockBrokerStats } from '../../mock-broker/index.ts';
import { summariseBroker, traceConnections, type BrokerRecord } from '../../scenarios/evidence/broker-evidence.ts';

function stats(overrides: Partial<MockBrokerStats> = {}): MockBrokerStats {
  return { limit: 2, current: {}, peak: {}, accepted: 0, rejected: { '401': 0, '429': 0 }, subscriptions: {}, ticksSent: 0, ...overrides };
}

const accepted = (time: number, clientCode: string, count: number): BrokerEvent => ({ type: 'accepted', time, clientCode, connectionId: time, count });
const refused = (time: number, clientCode: string, status: 401 | 429 = 429): BrokerEvent => ({
  type: 'rejected',
  time,
  clientCode,
  status,
  reason: 'Invalid Request. Connection Limit Exceeded.',
  count: 2,
});
const closed = (time: number, clientCode: string, count: number): BrokerEvent => ({ type: 'closed', time, clientCode, connectionId: time, count, reason: 'client' });

describe('broker evidence inside a probe window', () => {
  it('counts only events inside the window, per client code', () => {
    const before: BrokerRecord = { stats: stats({ peak: { A: 2 }, rejected: { '401': 0, '429': 5 } }), events: [] };
    const after: BrokerRecord = {
      stats: stats({ peak: { A: 2, B: 1 }, rejected: { '401': 1, '429': 7 } }),
      events: [accepted(50, 'A', 1), accepted(60, 'A', 2), refused(70, 'A'), accepted(100, 'B', 1), refused(110, 'B'), refused(120, 'B', 401), closed(130, 'B', 0), refused(300, 'B')],
    };
    const seen = summariseBroker({ before, after, from: 100, to: 200 });
    expect(seen.peak).toEqual({ B: 1 });
    expect(seen.rejected429).toEqual({ B: 1, '(unattributed)': 1 });
    expect(seen.rejected401).toEqual({ B: 1 });
    expect(seen.attempts).toEqual({ B: 3 });
  });

  it('a connection already open when the window starts counts towards the peak', () => {
    const before: BrokerRecord = { stats: stats({ current: { A: 1 }, peak: { A: 1 } }), events: [] };
    const after: BrokerRecord = { stats: stats({ current: { A: 2 }, peak: { A: 2 } }), events: [accepted(150, 'A', 2)] };
    expect(summariseBroker({ before, after, from: 100, to: 200 }).peak).toEqual({ A: 2 });
  });

  it('a peak counter that grew during the window raises the peak even when its events were trimmed', () => {
    const before: BrokerRecord = { stats: stats({ peak: { A: 1 } }), events: [] };
    const after: BrokerRecord = { stats: stats({ peak: { A: 3 } }), events: [] };
    expect(summariseBroker({ before, after, from: 100, to: 200 }).peak).toEqual({ A: 3 });
  });

  it('a reset during the window (counters shrank) leaves the events in charge', () => {
    const before: BrokerRecord = { stats: stats({ peak: { A: 4 }, rejected: { '401': 0, '429': 40 }, ticksSent: 900 }), events: [] };
    const after: BrokerRecord = { stats: stats({ peak: { A: 1 }, ticksSent: 30 }), events: [accepted(150, 'A', 1)] };
    const seen = summariseBroker({ before, after, from: 100, to: 200 });
    expect(seen.peak).toEqual({ A: 1 });
    expect(seen.rejected429).toEqual({});
    expect(seen.ticksSent).toBe(30);
  });

  it('restricted to client codes, other users are ignored', () => {
    const before: BrokerRecord = { stats: stats(), events: [] };
    const after: BrokerRecord = { stats: stats({ rejected: { '401': 0, '429': 2 } }), events: [accepted(150, 'A', 1), refused(151, 'OTHER'), refused(152, 'OTHER')] };
    const seen = summariseBroker({ before, after, from: 100, to: 200, clientCodes: ['A'] });
    expect(seen.peak).toEqual({ A: 1 });
    expect(seen.rejected429).toEqual({});
  });
});

describe('upstream connections and overlaps', () => {
  const withId = (event: BrokerEvent, connectionId: number): BrokerEvent => ({ ...event, connectionId } as BrokerEvent);

  it('names the connections open together at a client code\'s first highest count, with open and close times', () => {
    const events = [
      withId(accepted(100, 'A', 1), 1),
      withId(accepted(120, 'A', 2), 2),
      withId(closed(130, 'A', 1), 1),
      withId(accepted(140, 'A', 2), 3),
      withId(closed(200, 'A', 1), 2),
    ];

    const { connections, overlaps } = traceConnections(events);

    expect(connections.map((c) => [c.id, c.openedAt, c.closedAt])).toEqual([[1, 100, 130], [2, 120, 200], [3, 140, undefined]]);
    expect(overlaps).toEqual([{ clientCode: 'A', at: 120, connections: [connections[0], connections[1]] }]);
  });

  it('marks a connection opened while no probe client was connected, after the first one came, as opened with no client', () => {
    const events = [withId(accepted(90, 'A', 1), 1), withId(accepted(150, 'A', 1), 2), withId(accepted(400, 'A', 2), 3)];
    const spans = [{ from: 100, to: 200 }, { from: 500, to: 600 }];

    const { connections } = traceConnections(events, spans);

    expect(connections.map((c) => c.openedWithNoClient)).toEqual([false, false, true]);
  });

  it('ignores order-update connections: they are not upstream market-data connections', () => {
    const before: BrokerRecord = { stats: stats(), events: [] };
    const order = { ...accepted(150, 'A', 3), endpoint: 'smart-order-update' } as BrokerEvent;
    const after: BrokerRecord = { stats: stats(), events: [accepted(140, 'A', 1), order] };

    const seen = summariseBroker({ before, after, from: 100, to: 200 });

    expect(seen.peak).toEqual({ A: 1 });
    expect(seen.connections).toHaveLength(1);
  });
});
