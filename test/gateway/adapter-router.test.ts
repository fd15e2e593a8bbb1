import { describe, expect, it } from 'vitest';
import { AdapterRouter, type RoutedSession } from '../../gateway/client/adapter-router.ts';
import type { BrokerStatusUpdate, UpstreamAdapter } from '../../gateway/upstream/adapter-contract.ts';
import type { AdapterState } from '../../gateway/upstream/lifecycle.ts';
import { USER } from '../support/gateway-harness.ts';

function adapter(state: AdapterState = 'connecting'): UpstreamAdapter {
  return {
    user: USER,
    broker: USER.broker,
    state,
    subscribe: () => undefined,
    unsubscribe: () => undefined,
    remainingCapacity: () => 1000,
    carries: () => false,
    upstreamConnections: () => 1,
    subscriptionCount: () => 0,
  };
}

function session(of: UpstreamAdapter): RoutedSession & { heard: (BrokerStatusUpdate | string)[] } {
  const heard: (BrokerStatusUpdate | string)[] = [];
  return {
    adapter: of,
    heard,
    notifyBrokerStatus: (status) => heard.push(status),
    notifyBrokerError: (message) => heard.push(message),
  };
}

const counters = { delivered: () => undefined, dropped: () => undefined };

describe('adapter router', () => {
  it('broker_status and BROKER_ERROR reach only the sessions attached to that adapter', () => {
    const router = new AdapterRouter(counters);
    const [a, b] = [adapter(), adapter()];
    const onA = session(a);
    const onB = session(b);
    router.attached(onA);
    router.attached(onB);

    router.onStatus(a, { state: 'open' });
    router.onFailed(b, 'upstream connect cycle failed');

    expect(onA.heard).toEqual([{ state: 'open' }]);
    expect(onB.heard).toEqual(['upstream connect cycle failed']);
  });

  it("a client that authenticates later hears the adapter's last reported status, or its state when it reported none", () => {
    const router = new AdapterRouter(counters);
    const reporting = adapter('open');
    const silent = adapter('backoff');

    router.onStatus(reporting, { state: 'refused-retrying', message: '429' });

    expect(router.brokerStatusFor(reporting)).toEqual({ state: 'refused-retrying', message: '429' });
    expect(router.brokerStatusFor(silent)).toEqual({ state: 'refused-retrying' });
  });

  it("forgets an adapter's fan-out when its last session leaves, and keeps it while one stays", () => {
    const router = new AdapterRouter(counters);
    const shared = adapter();
    const first = session(shared);
    const second = session(shared);
    router.attached(first);
    router.attached(second);
    const fanOut = router.fanOutFor(shared);

    router.detached(first);
    expect(router.fanOutFor(shared)).toBe(fanOut);
    router.detached(second);
    router.onStatus(shared, { state: 'open' });

    expect(router.fanOutFor(shared)).not.toBe(fanOut);
    expect(second.heard).toEqual([]);
  });
});
