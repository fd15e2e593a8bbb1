import { startMockBroker, type MockBroker, type MockBrokerStats } from '../mock-broker/index.ts';
import { serveRequests } from './process-link.ts';
import { sampleUsage, type UsageSample } from './process-usage.ts';

/** The mock AngelOne broker in its own process, silent, so the gateway under benchmark has a core to itself. */

export interface BrokerStart {
  tickMs: number;
  limit: number;
}

export interface BrokerStarted {
  url: string;
  adminUrl: string;
}

export interface TicksSample {
  at: number;
  ticksSent: number;
}

let broker: MockBroker | undefined;

serveRequests(
  {
    start: async (options: BrokerStart): Promise<BrokerStarted> => {
      broker = await startMockBroker({ port: 0, tickMs: options.tickMs, limit: options.limit, logLevel: 'silent' });
      return { url: broker.url, adminUrl: broker.adminUrl };
    },
    stats: (): MockBrokerStats | undefined => broker?.stats(),
    /**
     * Ticks sent so far and when. Requests run between tick rounds, and a round stamps and sends each tick
     * synchronously, so exactly the ticks stamped at or before `at` are counted.
     */
    ticksSent: (): TicksSample => ({ at: Date.now(), ticksSent: broker?.stats().ticksSent ?? 0 }),
    usage: (): UsageSample => sampleUsage(),
  },
  async () => {
    await broker?.close();
  },
);
