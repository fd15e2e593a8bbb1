import { connect as netConnect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ACCOUNT_A, ACCOUNT_B, mockBrokersPerTest, connect, handshake, rawSmartStreamUpgrade, sdkHeaders, waitFor } from '../support/mock-broker-client.ts';

const start = mockBrokersPerTest({ tickMs: 20 });

/** Sends a raw upgrade request and returns every byte the broker answers before it closes. */
function rawUpgrade(port: number, path: string, headers: Record<string, string>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks)));
    const lines = [
      `GET ${path} HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      'Sec-WebSocket-Version: 13',
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ];
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  });
}

/** AngelOne's answer to a handshake over the limit, byte for byte (LOG-TEMPLATES.md "Refusal shapes"). */
const GOLDEN_429 = [
  'HTTP/1.1 429 Too Many Requests',
  'server: nginx',
  'date: Tue, 25 Nov 2025 04:00:00 GMT',
  'content-type: text/html;charset=iso-8859-1',
  'content-length: 615',
  'x-error-message: Invalid Request. Connection Limit Exceeded.',
  'cache-control: must-revalidate,no-cache,no-store',
  'pragma: no-cache',
  'expires: 0',
  'connection: close',
  '',
  '<html>',
  '<head>',
  '<meta http-equiv="Content-Type" content="text/html;charset=ISO-8859-1"/>',
  '<title>Error 429 Invalid Request. Connection Limit Exceeded.</title>',
  '</head>',
  '<body><h2>HTTP ERROR 429 Invalid Request. Connection Limit Exceeded.</h2>',
  '<table>',
  '<tr><th>URI:</th><td>/smart-stream</td></tr>',
  '<tr><th>STATUS:</th><td>429</td></tr>',
  '<tr><th>MESSAGE:</th><td>Invalid Request. Connection Limit Exceeded.</td></tr>',
  '<tr><th>SERVLET:</th><td>org.eclipse.jetty.websocket.server.WebSocketUpgradeServlet</td></tr>',
  '</table>',
  '<hr/><a href="https://eclipse.org/jetty">Powered by Jetty:// 9.4.48.v20220622</a><hr/>',
  '',
  '</body>',
  '</html>',
  '',
];

describe("mock broker refusal shapes, as AngelOne's", () => {
  it('answers a handshake over the limit with the exact 429 bytes: nginx headers and the 615-byte Jetty page', async () => {
    const b = await start({ limit: 1, clock: () => Date.UTC(2025, 10, 25, 4, 0, 0) });
    await connect(b.url);

    const answer = await rawUpgrade(b.port, '/smart-stream', sdkHeaders(ACCOUNT_A));

    const text = answer.toString('latin1');
    const [head, body] = [text.slice(0, text.indexOf('\r\n\r\n')), text.slice(text.indexOf('\r\n\r\n') + 4)];
    expect(head.split('\r\n')).toEqual(GOLDEN_429.slice(0, 10));
    expect(body).toBe(GOLDEN_429.slice(11).join('\n'));
    expect(Buffer.byteLength(body, 'latin1')).toBe(615);
  });

  it('a ws client sees the 429 status, x-error-message and the HTML page', async () => {
    const b = await start({ limit: 1 });
    await connect(b.url);

    const refused = await handshake(b.url, sdkHeaders(ACCOUNT_A));

    expect(refused).toMatchObject({ ok: false, status: 429, errorMessage: 'Invalid Request. Connection Limit Exceeded.', contentType: 'text/html;charset=iso-8859-1' });
    expect(refused.ok === false && refused.body).toContain('<title>Error 429 Invalid Request. Connection Limit Exceeded.</title>');
  });

  it('--on-limit close-existing resets the oldest socket (ECONNRESET on the wire) and admits the new one', async () => {
    const b = await start({ limit: 2, onLimit: 'close-existing' });
    // A raw socket, because ws swallows the reset it sees; this one reports how TCP ended.
    const oldest = netConnect(b.port, '127.0.0.1');
    const { answer, ended } = await rawSmartStreamUpgrade(oldest, ACCOUNT_A);
    expect(answer).toMatch(/^HTTP\/1.1 101/);
    const second = await connect(b.url);

    const third = await handshake(b.url, sdkHeaders(ACCOUNT_A));

    expect(third.ok).toBe(true);
    expect(await ended).toBe('ECONNRESET');
    expect(second.closed).toBe(false);
    expect(b.stats()).toMatchObject({ current: { A123: 2 }, peak: { A123: 2 }, accepted: 3, rejected: { '429': 0 } });
    expect(b.events().find((e) => e.type === 'closed')).toMatchObject({ connectionId: 1, reason: 'reset by a newer connection (close-existing)' });
  });
});

describe('mock broker order-update endpoint', () => {
  const bearer = (jwt: string) => ({ Authorization: `Bearer ${jwt}` });

  it('admits 3 order-update sockets per client code by default, answers the 4th with 429, and counts them apart', async () => {
    const b = await start({ accounts: [ACCOUNT_A, ACCOUNT_B] });
    const stream = await connect(b.url);
    const admitted = await Promise.all([1, 2, 3].map(() => handshake(b.orderUpdateUrl, bearer(ACCOUNT_A.authToken))));

    const fourth = await handshake(b.orderUpdateUrl, bearer(ACCOUNT_A.authToken));
    const otherUser = await handshake(b.orderUpdateUrl, bearer(ACCOUNT_B.authToken));

    expect(admitted.every((r) => r.ok)).toBe(true);
    expect(fourth).toMatchObject({ ok: false, status: 429, errorMessage: 'Invalid Request. Connection Limit Exceeded.' });
    expect(fourth.ok === false && fourth.body).toContain('<tr><th>URI:</th><td>/smart-order-update</td></tr>');
    expect(otherUser.ok).toBe(true);
    expect(stream.closed).toBe(false);
    expect(b.stats()).toMatchObject({
      current: { A123: 1 },
      accepted: 1,
      orderUpdates: { limit: 3, current: { A123: 3, B456: 1 }, peak: { A123: 3, B456: 1 }, accepted: 4, rejected: { '401': 0, '429': 1 } },
    });
    expect(b.events().filter((e) => e.endpoint === 'smart-order-update').map((e) => [e.type, e.clientCode])).toEqual([
      ['accepted', 'A123'],
      ['accepted', 'A123'],
      ['accepted', 'A123'],
      ['rejected', 'A123'],
      ['accepted', 'B456'],
    ]);
  });

  it('--order-limit sets its own limit; the order socket greets with AB00 and answers ping with pong', async () => {
    const b = await start({ orderLimit: 1 });
    const first = await handshake(b.orderUpdateUrl, { ...bearer('any-jwt'), 'x-client-code': 'A123' });
    if (!first.ok) throw new Error('order-update handshake refused');
    await waitFor(() => first.client.texts.length >= 1, 'the greeting');
    first.client.send('ping');
    await waitFor(() => first.client.texts.includes('pong'), 'a pong');

    const second = await handshake(b.orderUpdateUrl, { ...bearer('any-jwt'), 'x-client-code': 'A123' });

    expect(JSON.parse(first.client.texts[0])).toMatchObject({ 'user-id': 'A123', 'status-code': '200', 'order-status': 'AB00' });
    expect(second).toMatchObject({ ok: false, status: 429 });
    expect(b.stats().orderUpdates).toMatchObject({ limit: 1, current: { A123: 1 } });
  });

  it('refuses an order-update handshake without a JWT with 401 and one with an unknown JWT when accounts are set', async () => {
    const b = await start({ accounts: [ACCOUNT_A] });

    const none = await handshake(b.orderUpdateUrl, {});
    const unknown = await handshake(b.orderUpdateUrl, bearer('jwt-nobody'));

    expect(none).toMatchObject({ ok: false, status: 401, errorMessage: 'Invalid Header' });
    expect(unknown).toMatchObject({ ok: false, status: 401 });
    expect(b.stats().orderUpdates?.rejected).toEqual({ '401': 2, '429': 0 });
  });

  it('drop-all reaches order-update sockets too and counts them', async () => {
    const b = await start();
    await connect(b.url);
    const order = new WebSocket(b.orderUpdateUrl, { headers: { ...bearer('jwt-A'), 'x-client-code': 'A123' } });
    await new Promise((resolve) => order.once('open', resolve));

    const outcome = b.inject({ type: 'drop-all' });

    expect(outcome).toEqual({ affected: 2, affectedByClientCode: { A123: 2 }, id: '1', active: false });
    await waitFor(() => order.readyState === WebSocket.CLOSED, 'the order socket to be dropped');
    expect(b.stats().orderUpdates?.current).toEqual({ A123: 0 });
  });
});
