import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, OpenAlgoMode } from '../../protocol/openalgo/index.ts';
import type { ClientPlan, TrafficPlan } from '../../scenarios/traffic/traffic-plan.ts';
import { runTraffic } from '../../scenarios/traffic/traffic-runner.ts';
import { scriptedEndpoint } from '../support/scripted-openalgo-endpoint.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const NSE = (symbol: string) => ({ symbol, exchange: 'NSE' });

function planOf(clients: ClientPlan[], durationMs = 1500, brokerDrops: number[] = []): TrafficPlan {
  return { scenario: 'all', seed: 1, durationMs, clients, brokerDrops };
}

describe('traffic runner', () => {
  it('counts data per client across reconnects and judges each client by its final connection', async () => {
    const endpoint = await scriptedEndpoint();
    closers.push(endpoint.close);
    const plan = planOf([
      {
        name: 'position-monitor#1',
        service: 'position-monitor',
        steps: [
          { at: 0, kind: 'connect' },
          { at: 0, kind: 'subscribe', batches: [[NSE('SBIN')], [NSE('INFY'), NSE('TCS')]], mode: OpenAlgoMode.Quote },
          { at: 100, kind: 'disconnect', abrupt: true },
          { at: 200, kind: 'connect' },
          { at: 200, kind: 'subscribe', batches: [[NSE('RELIANCE')]], mode: OpenAlgoMode.Quote },
        ],
      },
      {
        name: 'session-manager#1',
        service: 'session-manager',
        steps: [
          { at: 0, kind: 'connect' },
          { at: 0, kind: 'subscribe', batches: [[NSE('BROKEN')]], mode: OpenAlgoMode.LTP },
        ],
      },
    ]);
    const outcome = await runTraffic(plan, { url: endpoint.url, apiKey: 'good' });

    const [monitor, manager] = outcome.clients;
    expect(monitor).toMatchObject({ sessions: 2, marketData: 4, finalSessionMarketData: 1, finalSessionSubscribed: 1, unanswered: 0 });
    expect(manager).toMatchObject({ sessions: 1, marketData: 0, errorCounts: { [ErrorCode.broker]: 1 } });
  });

  it('a refused key is a connect failure that counts its AUTHENTICATION_ERROR', async () => {
    const endpoint = await scriptedEndpoint();
    closers.push(endpoint.close);
    const plan = planOf([{ name: 'a#1', service: 'a', steps: [{ at: 0, kind: 'connect' }] }], 500);
    const [client] = (await runTraffic(plan, { url: endpoint.url, apiKey: 'bad' })).clients;
    expect(client.sessions).toBe(0);
    expect(client.connectFailures).toEqual([expect.stringContaining(ErrorCode.authentication)]);
    expect(client.errorCounts).toEqual({ [ErrorCode.authentication]: 1 });
  });

  it('a server that never answers cannot hold the run past its deadline', async () => {
    const endpoint = await scriptedEndpoint();
    closers.push(endpoint.close);
    const plan = planOf(
      [
        {
          name: 'a#1',
          service: 'a',
          steps: [
            { at: 0, kind: 'connect' },
            { at: 0, kind: 'subscribe', batches: [[NSE('SILENT')]], mode: OpenAlgoMode.LTP },
          ],
        },
      ],
      500,
    );
    // The reply timeout is far beyond the test's own timeout: only the deadline can end this run.
    const [client] = (await runTraffic(plan, { url: endpoint.url, apiKey: 'good', replyTimeoutMs: 120_000 })).clients;
    expect(client.sessions).toBe(1);
    expect(client.unanswered).toBe(0);
  });

  it('without a way to drop the broker, planned drops are reported as not caused', async () => {
    const endpoint = await scriptedEndpoint();
    closers.push(endpoint.close);
    const outcome = await runTraffic(planOf([], 300, [100]), { url: endpoint.url, apiKey: 'good' });
    expect(outcome.brokerDrops).toEqual([{ at: 100, done: false, detail: 'no way to make the broker drop connections' }]);
  });

  it('with one, each planned drop is made once', async () => {
    const endpoint = await scriptedEndpoint();
    closers.push(endpoint.close);
    let drops = 0;
    const outcome = await runTraffic(planOf([], 400, [50, 100]), { url: endpoint.url, apiKey: 'good', dropBroker: async () => void drops++ });
    expect(drops).toBe(2);
    expect(outcome.brokerDrops.map((d) => d.done)).toEqual([true, true]);
  });
});
