import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { BrokerEvent, Fault, FaultOutcome, MockBrokerStats } from '../../mock-broker/index.ts';
import type { BrokerRecord } from '../evidence/broker-evidence.ts';
import { ADMIN_TOKEN_ENV } from '../../contract/admin-request-guard.ts';

const ADMIN_PATH = '/__admin';

/** Sends one admin request and resolves with its status and parsed JSON body. */
export type AdminTransport = (url: string, method: 'GET' | 'POST' | 'DELETE', body: string | undefined, timeoutMs: number) => Promise<{ status: number; json: unknown }>;

/**
 * node:http(s) rather than fetch: a mock started with `--tls` serves its admin API with the same
 * self-signed certificate it gives OpenAlgo, and the probe only ever talks to loopback or the probed
 * host (checked by the CLI), so certificate checks are off here as they are in OpenAlgo. A mock started
 * with `--admin-token` needs the same token: `STORMCHECK_ADMIN_TOKEN` by default, as the mock reads it.
 */
export const nodeAdminTransport =
  (token: string | undefined = process.env[ADMIN_TOKEN_ENV]): AdminTransport =>
  (url, method, body, timeoutMs) =>
  new Promise((resolve, reject) => {
    const target = new URL(url);
    const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(
      target,
      {
        method,
        timeout: timeoutMs,
        rejectUnauthorized: false,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as unknown });
          } catch {
            reject(new Error(`${method} ${url} answered HTTP ${res.statusCode} with a body that is not JSON`));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} did not answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });

/**
 * Reads and drives a mock broker over its admin HTTP API (docs/mock-broker.md#admin-api), given the
 * broker's base URL such as `http://127.0.0.1:9443` (or `https://…` for a mock started with `--tls`).
 */
export class BrokerAdminClient {
  private readonly base: string;

  constructor(
    baseUrl: string,
    private readonly timeoutMs = 5000,
    private readonly transport: AdminTransport = nodeAdminTransport(),
  ) {
    this.base = baseUrl.replace(/\/+$/, '').replace(/\/__admin$/, '');
  }

  /** Stats and events, fetched together. */
  async record(): Promise<BrokerRecord> {
    const [stats, events] = await Promise.all([this.get<MockBrokerStats>('stats'), this.events()]);
    if (typeof stats?.rejected !== 'object' || typeof stats.peak !== 'object') {
      throw new Error(`${this.base}${ADMIN_PATH}/stats did not answer with mock broker stats`);
    }
    return { stats, events };
  }

  /**
   * Injects a fault; resolves with the connections it affected per client code, or undefined when
   * the broker does not say (a mock older than that field), so callers cannot mistake silence for a hit.
   * `lastingId` names a fault that stays active after the answer (a reject-next not yet used up, a stall).
   */
  async inject(fault: Fault): Promise<(Pick<FaultOutcome, 'affectedByClientCode'> & { lastingId?: string }) | undefined> {
    const url = `${this.base}${ADMIN_PATH}/faults`;
    const { status, json } = await this.transport(url, 'POST', JSON.stringify(fault), this.timeoutMs);
    if (status !== 200) throw new Error(`POST ${ADMIN_PATH}/faults answered HTTP ${status}: ${(json as { error?: string })?.error ?? ''}`.trim());
    const outcome = json as Partial<FaultOutcome> | null;
    const affected = outcome?.affectedByClientCode;
    if (typeof affected !== 'object' || affected === null) return undefined;
    return { affectedByClientCode: affected, ...(outcome?.active === true && typeof outcome.id === 'string' ? { lastingId: outcome.id } : {}) };
  }

  /** Ends a lasting fault by its id; one that has already ended by itself (404) is no error. */
  async removeFault(id: string): Promise<void> {
    const url = `${this.base}${ADMIN_PATH}/faults/${encodeURIComponent(id)}`;
    const { status, json } = await this.transport(url, 'DELETE', undefined, this.timeoutMs);
    if (status !== 200 && status !== 404) throw new Error(`DELETE ${ADMIN_PATH}/faults/${id} answered HTTP ${status}: ${(json as { error?: string })?.error ?? ''}`.trim());
  }

  /** The event timeline alone (what a watcher polls). */
  async events(): Promise<BrokerEvent[]> {
    const events = await this.get<BrokerEvent[] | { events: BrokerEvent[] }>('events');
    return Array.isArray(events) ? events : (events?.events ?? []);
  }

  /** Forgets every expired JWT (and reads the mock's accounts file again), ending an `expire-token` fault. */
  async reloadAccounts(): Promise<void> {
    const url = `${this.base}${ADMIN_PATH}/reload-accounts`;
    const { status, json } = await this.transport(url, 'POST', '', this.timeoutMs);
    if (status !== 200) throw new Error(`POST ${ADMIN_PATH}/reload-accounts answered HTTP ${status}: ${(json as { error?: string })?.error ?? ''}`.trim());
  }

  private async get<T>(name: string): Promise<T> {
    const url = `${this.base}${ADMIN_PATH}/${name}`;
    const { status, json } = await this.transport(url, 'GET', undefined, this.timeoutMs);
    if (status !== 200) throw new Error(`GET ${url} answered HTTP ${status}`);
    return json as T;
  }
}
