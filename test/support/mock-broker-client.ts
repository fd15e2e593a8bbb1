import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { afterEach } from 'vitest';
import { WebSocket } from 'ws';
import { decodeTick, type Tick } from '../../protocol/smartapi/index.ts';
import { startMockBroker, type Account, type MockBroker, type MockBrokerOptions } from '../../mock-broker/index.ts';

/** A test-side SmartAPI client, the way the official SDKs connect: real `ws`, credentials in headers. */

export const ACCOUNT_A: Account = { clientCode: 'A123', apiKey: 'key-A', feedToken: 'feed-A', authToken: 'jwt-A' };
export const ACCOUNT_B: Account = { clientCode: 'B456', apiKey: 'key-B', feedToken: 'feed-B', authToken: 'jwt-B' };

export function sdkHeaders(account: Account): Record<string, string> {
  return {
    Authorization: `Bearer ${account.authToken}`,
    'x-api-key': account.apiKey,
    'x-client-code': account.clientCode,
    'x-feed-token': account.feedToken,
  };
}

/** Polls `probe` until it returns something truthy; fails naming `what` after a generous deadline. */
export async function waitFor<T>(
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  // A reply on loopback lands within a millisecond or two: look again soon, then back off to every 10 ms.
  for (let pause = 1; ; pause = Math.min(2 * pause, 10)) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

/** An open connection that records every frame it receives. */
export class TestClient {
  readonly texts: string[] = [];
  readonly ticks: Tick[] = [];
  readonly binary: Buffer[] = [];
  /** Payloads of control-frame pongs (answers to `ws.ping()`). */
  readonly controlPongs: string[] = [];
  closeCode: number | undefined;

  constructor(readonly ws: WebSocket) {
    ws.on('pong', (payload) => this.controlPongs.push(payload.toString()));
    ws.on('message', (data, isBinary) => {
      if (!isBinary) return void this.texts.push(data.toString());
      this.binary.push(data as Buffer);
      this.ticks.push(decodeTick(data as Buffer));
    });
    ws.on('close', (code) => (this.closeCode = code));
  }

  get closed(): boolean {
    return this.closeCode !== undefined;
  }

  send(data: string | Buffer | object): void {
    this.ws.send(typeof data === 'object' && !Buffer.isBuffer(data) ? JSON.stringify(data) : data);
  }

  /** The JSON text frames received, parsed (heartbeats skipped). */
  json(): Record<string, unknown>[] {
    return this.texts.filter((t) => t !== 'pong').map((t) => JSON.parse(t) as Record<string, unknown>);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

export type HandshakeResult =
  | { ok: true; client: TestClient }
  | { ok: false; status: number; errorMessage: string | undefined; contentType: string | undefined; body: string };

/** Every client a test opened, so afterEach can close them whatever the test did. */
export const openClients = new Set<TestClient>();

/** Attempts one handshake and reports either the open connection or the raw HTTP refusal. */
export function handshake(url: string, headers: Record<string, string> = {}): Promise<HandshakeResult> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('error', (err) => reject(err));
    ws.once('open', () => {
      const client = new TestClient(ws);
      openClients.add(client);
      resolve({ ok: true, client });
    });
    ws.once('unexpected-response', (req, res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        req.destroy();
        const header = res.headers['x-error-message'];
        resolve({
          ok: false,
          status: res.statusCode ?? 0,
          errorMessage: Array.isArray(header) ? header[0] : header,
          contentType: res.headers['content-type'],
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
    });
  });
}

/** Opens a connection with the SDK headers of `account`; throws if the broker refuses it. */
export async function connect(url: string, account: Account = ACCOUNT_A): Promise<TestClient> {
  const result = await handshake(url, sdkHeaders(account));
  if (!result.ok) throw new Error(`handshake refused: ${result.status} ${result.errorMessage}`);
  return result.client;
}

export function closeAllClients(): void {
  for (const client of openClients) client.ws.terminate();
  openClients.clear();
}

/**
 * A mock broker starter for one test file: port 0, silent logs, `defaults` and then each call's options.
 * After each test every client opened here and every broker started is closed.
 */
export function mockBrokersPerTest(defaults: MockBrokerOptions = {}): (options?: MockBrokerOptions) => Promise<MockBroker> {
  const brokers: MockBroker[] = [];
  afterEach(async () => {
    closeAllClients();
    await Promise.all(brokers.splice(0).map((b) => b.close()));
  });
  return async (options = {}) => {
    const broker = await startMockBroker({ port: 0, logLevel: 'silent', ...defaults, ...options });
    brokers.push(broker);
    return broker;
  };
}

/**
 * Upgrades an already-open raw socket (TCP or TLS) to /smart-stream with the SDK's headers, and says how
 * the connection later ended: ws swallows a reset, a raw socket reports ECONNRESET. Resolves once the
 * broker answered the upgrade, with that answer's first bytes.
 */
export async function rawSmartStreamUpgrade(
  socket: Duplex,
  account: Account,
): Promise<{ answer: string; ended: Promise<string> }> {
  const ended = new Promise<string>((resolve) => {
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    socket.on('close', () => resolve('closed without error'));
  });
  const answered = new Promise<Buffer>((resolve) => socket.once('data', resolve));
  const headers = Object.entries(sdkHeaders(account)).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  socket.write(
    `GET /smart-stream HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${headers}\r\n`,
  );
  return { answer: String(await answered), ended };
}
