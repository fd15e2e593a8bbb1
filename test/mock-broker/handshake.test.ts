import { connect as netConnect } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { MockBroker } from '../../mock-broker/index.ts';
import { AUTH_ERROR_MESSAGES, CONNECTION_LIMIT_MESSAGE } from '../../protocol/smartapi/index.ts';
import {
  ACCOUNT_A,
  ACCOUNT_B,
  mockBrokersPerTest,
  connect,
  handshake,
  sdkHeaders,
  waitFor,
} from '../support/mock-broker-client.ts';

const start = mockBrokersPerTest({ host: '127.0.0.1' });

const openCount = (b: MockBroker, code = ACCOUNT_A.clientCode): number => b.stats().current[code] ?? 0;

describe('mock broker connection limit', () => {
  it('accepts two connections of one client code and answers the third with 429 Connection Limit Exceeded', async () => {
    const b = await start();
    await connect(b.url);
    await connect(b.url);

    const third = await handshake(b.url, sdkHeaders(ACCOUNT_A));

    expect(third.ok).toBe(false);
    if (third.ok) return;
    expect(third.status).toBe(429);
    expect(third.errorMessage).toBe(CONNECTION_LIMIT_MESSAGE);
    expect(third.contentType).toMatch(/text\/html/);
    expect(third.body).toContain('<html>');
    expect(b.stats()).toMatchObject({ current: { A123: 2 }, peak: { A123: 2 }, accepted: 2, rejected: { '401': 0, '429': 1 } });
  });

  it('counts the limit per client code', async () => {
    const b = await start();
    await connect(b.url, ACCOUNT_A);
    await connect(b.url, ACCOUNT_A);

    await connect(b.url, ACCOUNT_B);

    expect(b.stats().current).toEqual({ A123: 2, B456: 1 });
  });

  it('lets a new connection in once a closed one has freed its slot', async () => {
    const b = await start();
    const first = await connect(b.url);
    await connect(b.url);

    await first.close();
    await waitFor(() => openCount(b) === 1, 'the closed slot to be freed');
    const again = await handshake(b.url, sdkHeaders(ACCOUNT_A));

    expect(again.ok).toBe(true);
    expect(b.stats()).toMatchObject({ current: { A123: 2 }, peak: { A123: 2 }, accepted: 3 });
  });

  it('admits exactly --limit connections out of a burst of concurrent handshakes', async () => {
    const b = await start();

    const results = await Promise.all(Array.from({ length: 30 }, () => handshake(b.url, sdkHeaders(ACCOUNT_A))));

    expect(results.filter((r) => r.ok)).toHaveLength(2);
    expect(results.filter((r) => !r.ok && r.status === 429)).toHaveLength(28);
    expect(b.stats()).toMatchObject({ current: { A123: 2 }, peak: { A123: 2 }, accepted: 2, rejected: { '429': 28 } });
  });

  it('treats options passed as undefined as their defaults', async () => {
    const b = await start({ limit: undefined, onLimit: undefined, slotHoldMs: undefined });
    await connect(b.url);
    await connect(b.url);

    expect(await handshake(b.url, sdkHeaders(ACCOUNT_A))).toMatchObject({ ok: false, status: 429 });
    expect(b.stats().limit).toBe(2);
  });

  it('honours --limit', async () => {
    const b = await start({ limit: 3 });
    for (let i = 0; i < 3; i++) await connect(b.url);

    const fourth = await handshake(b.url, sdkHeaders(ACCOUNT_A));

    expect(fourth).toMatchObject({ ok: false, status: 429 });
    expect(b.stats().limit).toBe(3);
  });

  it('keeps a closed slot held for --slot-hold-ms', async () => {
    const b = await start({ slotHoldMs: 60_000 });
    const first = await connect(b.url);
    await connect(b.url);

    await first.close();
    await waitFor(() => openCount(b) === 1, 'the close to be seen');
    const refused = await handshake(b.url, sdkHeaders(ACCOUNT_A));

    expect(refused).toMatchObject({ ok: false, status: 429, errorMessage: CONNECTION_LIMIT_MESSAGE });
  });

  it('frees a held slot once --slot-hold-ms has passed', async () => {
    const b = await start({ slotHoldMs: 150 });
    const first = await connect(b.url);
    await connect(b.url);
    await first.close();

    const admitted = await waitFor(async () => {
      const attempt = await handshake(b.url, sdkHeaders(ACCOUNT_A));
      return attempt.ok ? attempt : undefined;
    }, 'the held slot to be released');

    expect(admitted).toBeDefined();
  });

  it('with --on-limit evict-oldest closes the oldest connection instead of refusing the new one', async () => {
    const b = await start({ onLimit: 'evict-oldest' });
    const oldest = await connect(b.url);
    const second = await connect(b.url);

    const third = await handshake(b.url, sdkHeaders(ACCOUNT_A));

    expect(third.ok).toBe(true);
    await waitFor(() => oldest.closed, 'the oldest connection to be closed');
    expect(second.closed).toBe(false);
    expect(b.stats()).toMatchObject({ current: { A123: 2 }, peak: { A123: 2 }, accepted: 3, rejected: { '429': 0 } });
    expect(b.events().filter((e) => e.type === 'closed')).toEqual([
      expect.objectContaining({ connectionId: 1, reason: 'evicted by a newer connection', count: 1 }),
    ]);
  });

  it('with evict-oldest a slot still held after a close is given up before any live connection', async () => {
    const b = await start({ onLimit: 'evict-oldest', slotHoldMs: 60_000 });
    const first = await connect(b.url);
    const second = await connect(b.url);
    await first.close();
    await waitFor(() => openCount(b) === 1, 'the close to be seen');

    const third = await handshake(b.url, sdkHeaders(ACCOUNT_A));

    expect(third.ok).toBe(true);
    expect(second.closed).toBe(false);
    expect(openCount(b)).toBe(2);
  });

  it('never miscounts slots when clients vanish abruptly', async () => {
    const b = await start();
    const clients = [await connect(b.url), await connect(b.url)];

    for (const c of clients) c.ws.terminate();
    await waitFor(() => openCount(b) === 0, 'abruptly reset connections to be released');
    // Half-finished handshakes: the peer resets before (or while) the upgrade is answered.
    const gone: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      const socket = netConnect(b.port, '127.0.0.1');
      gone.push(new Promise((resolve) => socket.once('close', () => resolve())));
      socket.on('error', () => undefined);
      socket.write(
        'GET /smart-stream HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n' +
          Object.entries(sdkHeaders(ACCOUNT_A)).map(([k, v]) => `${k}: ${v}\r\n`).join('') +
          '\r\n',
      );
      if (i % 2 === 0) socket.destroy();
      else socket.once('data', () => socket.resetAndDestroy());
    }
    await Promise.all(gone);
    await waitFor(() => openCount(b) === 0 && b.stats().accepted > 2, 'half-open handshakes to be released');

    await connect(b.url);
    await connect(b.url);
    expect(openCount(b)).toBe(2);
  });
});

describe('mock broker credentials', () => {
  const accounts = [ACCOUNT_A, ACCOUNT_B];

  it.each([
    ['no credentials at all', {}],
    ['no Authorization', { ...sdkHeaders(ACCOUNT_A), Authorization: '' }],
    ['no x-api-key', { ...sdkHeaders(ACCOUNT_A), 'x-api-key': '' }],
    ['no x-client-code', { ...sdkHeaders(ACCOUNT_A), 'x-client-code': '' }],
    ['no x-feed-token', { ...sdkHeaders(ACCOUNT_A), 'x-feed-token': '' }],
  ])('refuses a handshake with %s: 401 Invalid Header', async (_name, headers) => {
    const b = await start();

    const result = await handshake(b.url, headers);

    expect(result).toMatchObject({ ok: false, status: 401, errorMessage: AUTH_ERROR_MESSAGES.header });
    expect(b.stats().rejected).toEqual({ '401': 1, '429': 0 });
  });

  it.each([
    ['an unknown client code', { 'x-client-code': 'NOPE' }, AUTH_ERROR_MESSAGES.clientCode],
    ['a wrong feed token', { 'x-feed-token': 'feed-B' }, AUTH_ERROR_MESSAGES.feedToken],
    ['a wrong JWT', { Authorization: 'Bearer jwt-B' }, AUTH_ERROR_MESSAGES.header],
  ])('with --accounts refuses %s with 401 %s', async (_name, override, message) => {
    const b = await start({ accounts });

    const result = await handshake(b.url, { ...sdkHeaders(ACCOUNT_A), ...override });

    expect(result).toMatchObject({ ok: false, status: 401, errorMessage: message });
    expect(b.events()).toEqual([expect.objectContaining({ type: 'rejected', status: 401, reason: message })]);
  });

  it("with --accounts accepts OpenAlgo's literal x-api-key 'api_key': AngelOne checks the JWT and feed token, not the key", async () => {
    const b = await start({ accounts });

    const result = await handshake(b.url, { ...sdkHeaders(ACCOUNT_A), 'x-api-key': 'api_key' });

    expect(result.ok).toBe(true);
    expect(b.stats()).toMatchObject({ accepted: 1, rejected: { '401': 0, '429': 0 } });
  });

  it('with --accounts and --strict-api-key refuses a wrong API key with 401 Invalid ApiKey', async () => {
    const b = await start({ accounts, strictApiKey: true });

    const wrong = await handshake(b.url, { ...sdkHeaders(ACCOUNT_A), 'x-api-key': 'api_key' });
    const right = await handshake(b.url, sdkHeaders(ACCOUNT_A));

    expect(wrong).toMatchObject({ ok: false, status: 401, errorMessage: AUTH_ERROR_MESSAGES.apiKey });
    expect(right.ok).toBe(true);
  });

  it('accepts the JWT with or without the Bearer prefix', async () => {
    const b = await start({ accounts });

    const withPrefix = await handshake(b.url, sdkHeaders(ACCOUNT_A));
    const without = await handshake(b.url, { ...sdkHeaders(ACCOUNT_A), Authorization: ACCOUNT_A.authToken });

    expect([withPrefix.ok, without.ok]).toEqual([true, true]);
  });

  it('accepts the browser form: clientCode, feedToken and apiKey as query parameters', async () => {
    const b = await start({ accounts });
    const query = (feedToken: string) =>
      `${b.url}?clientCode=${ACCOUNT_A.clientCode}&feedToken=${feedToken}&apiKey=${ACCOUNT_A.apiKey}`;

    const good = await handshake(query(ACCOUNT_A.feedToken));
    const bad = await handshake(query('wrong'));

    expect(good.ok).toBe(true);
    expect(bad).toMatchObject({ ok: false, status: 401, errorMessage: AUTH_ERROR_MESSAGES.feedToken });
    expect(b.stats().current).toEqual({ A123: 1 });
  });

  it('survives request targets that are not valid URLs', async () => {
    const b = await start();
    const raw = (request: string) =>
      new Promise<string>((resolve) => {
        const socket = netConnect(b.port, '127.0.0.1');
        let reply = '';
        socket.on('data', (chunk) => (reply += chunk.toString()));
        socket.on('close', () => resolve(reply));
        socket.on('error', () => undefined);
        socket.write(request);
      });

    const upgrade = await raw('GET // HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    const plain = await raw('GET //a:b:c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');

    expect(upgrade).toMatch(/^HTTP\/1\.1 404/);
    expect(plain).toMatch(/^HTTP\/1\.1 404/);
    expect((await handshake(b.url, sdkHeaders(ACCOUNT_A))).ok).toBe(true);
  });

  it('answers other paths with 404 and never opens a WebSocket', async () => {
    const b = await start();

    const result = await handshake(b.url.replace('/smart-stream', '/elsewhere'), sdkHeaders(ACCOUNT_A));

    expect(result).toMatchObject({ ok: false, status: 404 });
    expect(b.stats().accepted).toBe(0);
  });
});
