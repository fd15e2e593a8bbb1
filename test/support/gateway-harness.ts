import { WebSocket } from 'ws';
import { startMockBroker, type MockBroker, type MockBrokerOptions } from '../../mock-broker/index.ts';
import { startGateway } from '../../gateway/index.ts';
import type { Gateway, GatewayOptions, UserRecord } from '../../gateway/index.ts';
import { waitFor } from './mock-broker-client.ts';

export { waitFor };

/** A user whose broker credentials the mock accepts; the secrets are distinctive so a grep finds leaks. */
export const USER: UserRecord = {
  apiKey: 'oa-key-7f3c9e1d2b',
  userId: 'trader1',
  broker: 'angel',
  clientCode: 'T1001',
  brokerApiKey: 'angel-api-key-5d8a',
  feedToken: 'feed-token-91b2c4',
  authToken: 'eyJhbGciOiJIUzUxMiJ9.jwt-secret-payload.sig42',
};

/** pino destination that keeps every JSON line for assertions. */
export class LogCapture {
  readonly lines: string[] = [];
  write(chunk: string): void {
    for (const line of chunk.split('\n')) if (line) this.lines.push(line);
  }
  records(): Record<string, unknown>[] {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }
  count(event: string): number {
    return this.records().filter((r) => r.event === event).length;
  }
  text(): string {
    return this.lines.join('\n');
  }
}

/** Fast timings for tests: backoff in tens of ms, heartbeat in hundreds. */
export const FAST: GatewayOptions = {
  backoff: { baseMs: 20, capMs: 200, rateLimitedMinMs: 40, rateLimitedMaxMs: 60 },
  heartbeat: { pingMs: 100, deadMs: 400 },
  legacy: { timeScale: 0.01 },
};

export interface Rig {
  broker: MockBroker;
  gateway: Gateway;
  logs: LogCapture;
  clients: OpenAlgoClient[];
  connect(): Promise<OpenAlgoClient>;
  close(): Promise<void>;
}

/** Mock broker (limit 2) plus gateway, both on port 0; `close` ends clients, gateway and broker. */
export async function startRig(gatewayOptions: GatewayOptions = {}, brokerOptions: MockBrokerOptions = {}): Promise<Rig> {
  const broker = await startMockBroker({
    port: 0,
    limit: 2,
    tickMs: 20,
    logLevel: 'silent',
    accounts: [{ clientCode: USER.clientCode, apiKey: USER.brokerApiKey, feedToken: USER.feedToken, authToken: USER.authToken }],
    ...brokerOptions,
  });
  const logs = new LogCapture();
  let gateway: Gateway;
  try {
    gateway = await startGateway({
      port: 0,
      adminPort: 0,
      brokerUrl: broker.url,
      users: [USER],
      logDestination: logs,
      ...FAST,
      ...gatewayOptions,
    });
  } catch (err) {
    await broker.close();
    throw err;
  }
  const clients: OpenAlgoClient[] = [];
  return {
    broker,
    gateway,
    logs,
    clients,
    async connect() {
      const client = await OpenAlgoClient.open(gateway.url);
      clients.push(client);
      return client;
    },
    async close() {
      for (const c of clients) c.ws.terminate();
      await gateway.close();
      await broker.close();
    },
  };
}

type Json = Record<string, any>;

/** A test-side OpenAlgo client: real `ws`, JSON frames, everything received kept in order. */
export class OpenAlgoClient {
  readonly received: Json[] = [];
  closeCode: number | undefined;
  private cursor = 0;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.received.push(JSON.parse(data.toString()) as Json));
    ws.on('close', (code) => (this.closeCode = code));
    ws.on('error', () => undefined);
  }

  static async open(url: string): Promise<OpenAlgoClient> {
    const ws = new WebSocket(url);
    const client = new OpenAlgoClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  send(message: object | string): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Sends `message` and waits for the next reply (market_data and broker_status are pushes, not replies). */
  async request(message: object | string): Promise<Json> {
    this.cursor = this.received.length;
    this.send(message);
    return this.nextReply();
  }

  async nextReply(): Promise<Json> {
    return waitFor(() => {
      while (this.cursor < this.received.length) {
        const msg = this.received[this.cursor++]!;
        if (msg.type !== 'market_data' && msg.type !== 'broker_status') return msg;
      }
      return undefined;
    }, 'a reply from the gateway');
  }

  brokerStatuses(): Json[] {
    return this.received.filter((m) => m.type === 'broker_status');
  }

  /** Waits for a `broker_status` with `state`, counting only those after the first `skip` statuses. */
  async brokerState(state: string, skip = 0): Promise<Json> {
    return waitFor(() => this.brokerStatuses().slice(skip).find((m) => m.state === state), `broker_status ${state}`);
  }

  /** Authenticates and waits until the upstream is open. */
  async authenticateOpen(apiKey = USER.apiKey): Promise<Json> {
    const reply = await this.authenticate(apiKey);
    if (reply.status === 'success') await this.brokerState('open');
    return reply;
  }

  marketData(): Json[] {
    return this.received.filter((m) => m.type === 'market_data');
  }

  async authenticate(apiKey = USER.apiKey): Promise<Json> {
    return this.request({ action: 'authenticate', api_key: apiKey });
  }

  async closed(): Promise<number> {
    return waitFor(() => this.closeCode, 'the gateway to close the client');
  }
}
