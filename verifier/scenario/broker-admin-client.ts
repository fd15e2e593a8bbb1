import type { BrokerEvent, Fault, MockBrokerStats } from '../../fixtures/angel-broker/types.ts';
import type { BrokerRecord } from './broker-evidence.ts';

const ADMIN_PATH = '/__admin';

/**
 * Reads and drives a mock broker over its admin HTTP API (SPEC §5 "Mock broker extras"), given the
 * broker's base URL such as `http://127.0.0.1:9443`.
 */
export class BrokerAdminClient {
  private readonly base: string;

  constructor(
    baseUrl: string,
    private readonly timeoutMs = 5000,
  ) {
    this.base = baseUrl.replace(/\/+$/, '').replace(/\/__admin$/, '');
  }

  /** Stats and events, fetched together. */
  async record(): Promise<BrokerRecord> {
    const [stats, events] = await Promise.all([
      this.get<MockBrokerStats>('stats'),
      this.get<BrokerEvent[] | { events: BrokerEvent[] }>('events'),
    ]);
    if (typeof stats?.rejected !== 'object' || typeof stats.peak !== 'object') {
      throw new Error(`${this.base}${ADMIN_PATH}/stats did not answer with mock broker stats`);
    }
    return { stats, events: Array.isArray(events) ? events : (events?.events ?? []) };
  }

  async inject(fault: Fault): Promise<void> {
    const response = await fetch(`${this.base}${ADMIN_PATH}/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(fault),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!response.ok) throw new Error(`POST ${ADMIN_PATH}/faults answered HTTP ${response.status}`);
  }

  private async get<T>(name: string): Promise<T> {
    const url = `${this.base}${ADMIN_PATH}/${name}`;
    const response = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
    if (!response.ok) throw new Error(`GET ${url} answered HTTP ${response.status}`);
    return (await response.json()) as T;
  }
}
