import { describe, expect, it } from 'vitest';
import { parseFaultPlan, type FaultPlan, type MockBroker } from '../../mock-broker/index.ts';
import { ACCOUNT_A, handshake, mockBrokersPerTest, sdkHeaders, waitFor, type TestClient } from '../support/mock-broker-client.ts';

const start = mockBrokersPerTest({ tickMs: 20 });

const PLAN = {
  version: 1,
  seed: 9,
  clientActions: [{ atMs: 0, action: 'connect until accepted', clientCode: 'A123' }],
  faults: [
    { atMs: 0, after: 'start', fault: { type: 'reject-next', count: 4, probability: 0.5, id: 'flaky' } },
    { atMs: 50, after: { firstConnection: 'A123' }, fault: { type: 'drop-all', mode: 'close', code: 4000, id: 'drop' } },
  ],
};

function plan(): FaultPlan {
  const parsed = parseFaultPlan(PLAN);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.plan;
}

/** The plan's client actions, driven off the record so that the run never depends on how fast the machine is. */
async function drive(b: MockBroker): Promise<unknown[]> {
  await waitFor(() => b.faultEvents().some((e) => e.faultId === 'flaky'), 'the plan to start');
  let client: TestClient | undefined;
  while (!client) {
    const attempt = await handshake(b.url, sdkHeaders(ACCOUNT_A));
    if (attempt.ok) client = attempt.client;
  }
  await waitFor(() => client.closed, 'the planned drop');
  for (let i = 0; i < 8; i++) {
    const attempt = await handshake(b.url, sdkHeaders(ACCOUNT_A));
    if (attempt.ok) await attempt.client.close();
  }
  await waitFor(() => b.stats().current.A123 === 0, 'the last close');
  // Times and connection ids differ from run to run; what happened, in what order, must not.
  return [
    ...b.events().map(({ type, clientCode, ...rest }) => [type, clientCode, 'status' in rest ? rest.status : undefined, 'reason' in rest ? rest.reason : undefined]),
    ...b.faultEvents().map((e) => [e.type, e.faultId, e.type === 'fault-ended' ? e.reason : undefined]),
  ];
}

describe('fault plans', () => {
  it('the same plan twice gives the same event record: once from start-up (--faults), once through the admin API', async () => {
    const first = await start({ faultPlan: plan() });
    const firstRecord = await drive(first);

    const second = await start({ seed: 1234 });
    const res = await fetch(`${second.adminUrl}/__admin/faults/plan`, { method: 'POST', body: JSON.stringify(PLAN) });
    expect(await res.json()).toEqual({ status: 'ok', faults: 2 });
    const secondRecord = await drive(second);

    expect(secondRecord).toEqual(firstRecord);
    expect(firstRecord).toContainEqual(['rejected', 'A123', 429, 'reject-next fault']);
    expect(firstRecord).toContainEqual(['closed', 'A123', undefined, 'drop-all fault (close 4000)']);
    expect(firstRecord).toContainEqual(['fault-ended', 'flaky', 'spent']);
  });

  it('a bare faults array is a plan; loading one ends the faults before it', async () => {
    const b = await start();
    b.inject({ type: 'half-open', id: 'old' });

    const res = await fetch(`${b.adminUrl}/__admin/faults/plan`, { method: 'POST', body: JSON.stringify([{ atMs: 0, fault: { type: 'stall', ms: 60_000, id: 'new' } }]) });

    expect(res.status).toBe(200);
    await waitFor(() => b.activeFaults().some((f) => f.id === 'new'), 'the planned stall');
    expect(b.activeFaults().map((f) => f.id)).toEqual(['new']);
    expect(b.faultEvents()[1]).toMatchObject({ type: 'fault-ended', faultId: 'old', reason: 'plan loaded' });
  });
});
