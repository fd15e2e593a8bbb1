import type { LookupAddress, LookupOptions } from 'node:dns';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startMockBroker, type MockBroker } from '../../mock-broker/index.ts';
import { selfSignedAngelCertificate } from '../../mock-broker/tls-credentials.ts';
import { decodeTick, type QuoteTick, type Tick } from '../../protocol/smartapi/index.ts';
import { ACCOUNT_A, rawSmartStreamUpgrade, sdkHeaders, waitFor } from '../support/mock-broker-client.ts';

const REAL_HOST = 'smartapisocket.angelone.in';

let broker: MockBroker;

beforeAll(async () => {
  broker = await startMockBroker({ port: 0, tickMs: 20, logLevel: 'silent', tls: await selfSignedAngelCertificate() });
});

afterAll(async () => {
  await broker.close();
});

/**
 * What a hosts entry does for OpenAlgo: the real host name resolves to the mock. Node 20 asks with
 * `all: true` when it may try several addresses, so both callback shapes are served.
 */
function hostsEntry(
  hostname: string,
  options: LookupOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
): void {
  if (hostname !== REAL_HOST) {
    callback(Object.assign(new Error(`no hosts entry for ${hostname}`), { code: 'ENOTFOUND' }), '');
    return;
  }
  if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
}

describe('mock broker over TLS on the real host name', { timeout: 20_000 }, () => {
  it("streams decodable ticks to a client that dials wss://smartapisocket.angelone.in with verification off, as OpenAlgo does", async () => {
    const ws = new WebSocket(`wss://${REAL_HOST}:${broker.port}/smart-stream`, {
      headers: { ...sdkHeaders(ACCOUNT_A), 'x-api-key': 'api_key' },
      rejectUnauthorized: false,
      lookup: hostsEntry,
    });
    const ticks: Tick[] = [];
    ws.on('message', (data, isBinary) => {
      if (isBinary) ticks.push(decodeTick(data as Buffer));
    });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });

    ws.send(JSON.stringify({ correlationID: 'tls1', action: 1, params: { mode: 2, tokenList: [{ exchangeType: 1, tokens: ['2885'] }] } }));
    await waitFor(() => ticks.length >= 2, 'ticks over TLS');
    const servername = (ws as unknown as { _socket: { servername?: string } })._socket.servername;
    ws.terminate();

    expect(broker.url).toMatch(/^wss:\/\//);
    expect(ticks[0]).toMatchObject({ mode: 2, exchangeType: 1, token: '2885' });
    expect((ticks[1] as QuoteTick).sequenceNumber).toBeGreaterThan((ticks[0] as QuoteTick).sequenceNumber);
    expect(servername).toBe(REAL_HOST);
  });

  it('presents a certificate a verifying client rejects, so only clients that opted out reach it', async () => {
    const ws = new WebSocket(`wss://${REAL_HOST}:${broker.port}/smart-stream`, { headers: sdkHeaders(ACCOUNT_A), lookup: hostsEntry });

    const error = await new Promise<NodeJS.ErrnoException>((resolve) => ws.once('error', resolve));

    expect(error.code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|DEPTH_ZERO/);
  });

  it('refuses a plain ws:// client on the TLS port cleanly and keeps serving', async () => {
    const acceptedBefore = broker.stats().accepted;
    const plain = new WebSocket(`ws://127.0.0.1:${broker.port}/smart-stream`, { headers: sdkHeaders(ACCOUNT_A) });
    const outcome = await new Promise<string>((resolve) => {
      plain.once('open', () => resolve('open'));
      plain.once('error', (err) => resolve((err as NodeJS.ErrnoException).code ?? err.message));
    });
    const raw = netConnect(broker.port, '127.0.0.1');
    raw.on('error', () => undefined);
    raw.end('GET / HTTP/1.1\r\n\r\n');
    await new Promise((resolve) => raw.once('close', resolve));

    expect(outcome).not.toBe('open');
    expect(broker.stats().accepted).toBe(acceptedBefore);
    const after = new WebSocket(broker.url, { headers: sdkHeaders(ACCOUNT_A), rejectUnauthorized: false });
    await new Promise((resolve, reject) => {
      after.once('open', resolve);
      after.once('error', reject);
    });
    after.terminate();
    expect(broker.stats().accepted).toBe(acceptedBefore + 1);
  });

  it('--on-limit close-existing resets the oldest TLS connection with a TCP RST (ECONNRESET) and admits the new one', async () => {
    const b = await startMockBroker({ port: 0, limit: 1, onLimit: 'close-existing', logLevel: 'silent', tls: await selfSignedAngelCertificate() });
    try {
      // A raw TLS socket, because ws swallows the reset it sees; this one reports how the connection ended.
      const oldest = tlsConnect({ host: '127.0.0.1', port: b.port, rejectUnauthorized: false });
      const { answer, ended } = await rawSmartStreamUpgrade(oldest, ACCOUNT_A);
      expect(answer).toMatch(/^HTTP\/1.1 101/);

      const newer = new WebSocket(b.url, { headers: sdkHeaders(ACCOUNT_A), rejectUnauthorized: false });
      await new Promise((resolve, reject) => {
        newer.once('open', resolve);
        newer.once('error', reject);
      });
      newer.terminate();

      expect(await ended).toBe('ECONNRESET');
      expect(b.stats()).toMatchObject({ accepted: 2, rejected: { '429': 0 } });
    } finally {
      await b.close();
    }
  });
});
