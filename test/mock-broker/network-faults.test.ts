import { setTimeout as sleep } from 'node:timers/promises';
import { connect as tcpConnect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { MockBroker } from '../../mock-broker/index.ts';
import { GARBAGE_FRAME } from '../../mock-broker/fault-injection.ts';
import { HANDSHAKE_QUOTA_MESSAGE } from '../../mock-broker/admission.ts';
import { CONNECTION_LIMIT_MESSAGE } from '../../protocol/smartapi/index.ts';
import { ACCOUNT_A, ACCOUNT_B, connect, handshake, mockBrokersPerTest, rawSmartStreamUpgrade, sdkHeaders, waitFor } from '../support/mock-broker-client.ts';

const start = mockBrokersPerTest({ tickMs: 20 });

const ltp = (tokens: string[]) => ({ correlationID: 'c', action: 1, params: { mode: 1, tokenList: [{ exchangeType: 1, tokens }] } });

async function admin(b: MockBroker, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${b.adminUrl}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

/** A masked client text frame, as a browser or SDK sends it (mask of zeros: payload unchanged). */
function maskedText(text: string): Buffer {
  const payload = Buffer.from(text);
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length, 0, 0, 0, 0]), payload]);
}

async function rawClient(b: MockBroker): Promise<{ socket: Socket; chunks: Buffer[] }> {
  const socket = tcpConnect(b.port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  const { answer } = await rawSmartStreamUpgrade(socket, ACCOUNT_A);
  expect(answer).toMatch(/^HTTP\/1.1 101/);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { socket, chunks };
}

describe('latency', () => {
  it('delays replies by ms, in order, and only for the client code in scope', async () => {
    const b = await start();
    const a = await connect(b.url, ACCOUNT_A);
    const other = await connect(b.url, ACCOUNT_B);
    b.inject({ type: 'latency', ms: 300, jitterMs: 50, clientCode: 'A123' });
    const arrivals: string[] = [];
    a.ws.on('message', () => arrivals.push('A'));
    other.ws.on('message', () => arrivals.push('B'));

    const sentAt = performance.now();
    a.send('ping');
    other.send('ping');
    await waitFor(() => a.texts.includes('pong'), 'the delayed pong');

    expect(performance.now() - sentAt).toBeGreaterThanOrEqual(250);
    expect(arrivals).toEqual(['B', 'A']);
  });

  it('keeps ticks decodable and in sequence under jitter', async () => {
    const b = await start();
    const client = await connect(b.url);
    b.inject({ type: 'latency', ms: 20, jitterMs: 20 });
    client.send(ltp(['2885']));

    await waitFor(() => client.ticks.length >= 10, 'ten ticks');
    const stamps = client.ticks.map((t) => t.exchangeTimestamp);
    expect(stamps).toEqual([...stamps].sort((x, y) => x - y));
  });
});

describe('bandwidth', () => {
  it('sends no faster than bytesPerSecond', async () => {
    const b = await start();
    const client = await connect(b.url);
    b.inject({ type: 'bandwidth', bytesPerSecond: 2000 });
    const times: number[] = [];
    client.ws.on('message', () => times.push(performance.now()));

    for (let i = 0; i < 20; i++) client.send(`{"correlationID":"c${i}","action":1,"params":{}}`);
    await waitFor(() => client.texts.length === 20, 'twenty E1001 replies', 15_000);

    const bytes = client.texts.reduce((n, t) => n + t.length + 2, 0);
    // The first 50 ms slice goes at once; the rest is paced.
    const least = ((bytes - 100) / 2000) * 1000;
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(least * 0.9);
  });
});

describe('fragment', () => {
  it('splits frames across TCP writes of at most `bytes`, and they still reassemble', async () => {
    const b = await start();
    const { socket, chunks } = await rawClient(b);
    b.inject({ type: 'fragment', bytes: 3 });

    for (let i = 0; i < 3; i++) socket.write(maskedText('ping'));
    const pong = Buffer.from([0x81, 0x04, ...Buffer.from('pong')]);
    await waitFor(() => Buffer.concat(chunks).length >= 3 * pong.length, 'three pongs');

    expect(Buffer.concat(chunks)).toEqual(Buffer.concat([pong, pong, pong]));
    expect(chunks.length).toBeGreaterThan(3);
    socket.destroy();
  });

  it('leaves ticks decodable for a ws client', async () => {
    const b = await start();
    const client = await connect(b.url);
    b.inject({ type: 'fragment', bytes: 7 });
    client.send(ltp(['2885', '1594']));
    await waitFor(() => client.ticks.length >= 6, 'ticks through the fragmenting');
    expect(new Set(client.ticks.map((t) => t.token))).toEqual(new Set(['2885', '1594']));
  });
});

describe('garbage-frame', () => {
  it('sends count undecodable binary frames now and keeps the connection open', async () => {
    const b = await start();
    const ws = new WebSocket(b.url, { headers: sdkHeaders(ACCOUNT_A) });
    const frames: Buffer[] = [];
    const texts: string[] = [];
    ws.on('message', (data, isBinary) => (isBinary ? frames.push(data as Buffer) : texts.push(String(data))));
    await new Promise((resolve) => ws.once('open', resolve));

    const outcome = b.inject({ type: 'garbage-frame', count: 2 });
    await waitFor(() => frames.length === 2, 'two garbage frames');
    ws.send('ping');
    await waitFor(() => texts.includes('pong'), 'a pong after the garbage');

    expect(outcome).toMatchObject({ affected: 1, active: false });
    expect(frames).toEqual([GARBAGE_FRAME, GARBAGE_FRAME]);
    ws.close();
  });
});

describe('slow-close', () => {
  it('keeps a closed connection\'s slot taken for ms, for the client code in scope only', async () => {
    const b = await start({ limit: 1 });
    b.inject({ type: 'slow-close', ms: 60_000, clientCode: 'A123' });
    await (await connect(b.url, ACCOUNT_A)).close();
    await (await connect(b.url, ACCOUNT_B)).close();
    await waitFor(() => b.stats().current.A123 === 0 && b.stats().current.B456 === 0, 'both closes');

    const again = await handshake(b.url, sdkHeaders(ACCOUNT_A));
    const other = await handshake(b.url, sdkHeaders(ACCOUNT_B));

    expect(again).toMatchObject({ ok: false, status: 429, errorMessage: CONNECTION_LIMIT_MESSAGE });
    expect(other.ok).toBe(true);
  });
});

describe('handshake-quota', () => {
  it('refuses handshakes past perWindow with 429 and Retry-After, apart from the count limit and per client code', async () => {
    const b = await start();
    b.inject({ type: 'handshake-quota', perWindow: 2, windowMs: 60_000, retryAfterSeconds: 7 });
    for (let i = 0; i < 2; i++) await (await connect(b.url, ACCOUNT_A)).close();

    const refused = new Promise<{ status?: number; retryAfter?: string | string[]; message?: string | string[] }>((resolve) => {
      const ws = new WebSocket(b.url, { headers: sdkHeaders(ACCOUNT_A) });
      ws.on('error', () => undefined);
      ws.once('unexpected-response', (req, res) => {
        resolve({ status: res.statusCode, retryAfter: res.headers['retry-after'], message: res.headers['x-error-message'] });
        req.destroy();
      });
    });
    const other = await handshake(b.url, sdkHeaders(ACCOUNT_B));

    expect(await refused).toEqual({ status: 429, retryAfter: '7', message: HANDSHAKE_QUOTA_MESSAGE });
    expect(HANDSHAKE_QUOTA_MESSAGE).not.toBe(CONNECTION_LIMIT_MESSAGE);
    expect(other.ok).toBe(true);
    expect(b.events().filter((e) => e.type === 'rejected')).toMatchObject([{ clientCode: 'A123', status: 429, reason: 'handshake-quota fault', count: 0 }]);
  });
});

describe('outage', () => {
  it('cuts open connections and every handshake during its window, then serves again and records its end', async () => {
    const b = await start();
    const client = await connect(b.url);

    b.inject({ type: 'outage', afterMs: 0, durationMs: 1500, id: 'down' });
    await waitFor(() => client.closed, 'the cut');
    const during = await handshake(b.url, sdkHeaders(ACCOUNT_A)).catch((err: Error) => err.message);
    const after = await waitFor(async () => {
      const attempt = await handshake(b.url, sdkHeaders(ACCOUNT_A)).catch(() => undefined);
      return attempt?.ok ? attempt : undefined;
    }, 'a handshake after the window');

    expect(client.closeCode).toBe(1006);
    expect(during).toMatch(/socket hang up|ECONNRESET/);
    expect(after.ok).toBe(true);
    expect(b.faultEvents().map((e) => [e.type, e.faultId, e.type === 'fault-ended' ? e.reason : e.fault.type])).toEqual([
      ['fault-started', 'down', 'outage'],
      ['fault-ended', 'down', 'expired'],
    ]);
  });
});

describe('half-open', () => {
  it('keeps the TCP open with nothing flowing and no close, until it is removed', async () => {
    const b = await start();
    const client = await connect(b.url);
    client.send(ltp(['2885']));
    await waitFor(() => client.ticks.length >= 2, 'ticks before');

    const { id } = b.inject({ type: 'half-open' });
    const sentBefore = b.stats().ticksSent;
    const ticksBefore = client.ticks.length;
    client.send('ping');
    client.ws.ping('p');
    await sleep(300);

    expect(b.stats().ticksSent).toBe(sentBefore);
    expect(client.texts).toEqual([]);
    expect(client.controlPongs).toEqual([]);
    expect(client.closed).toBe(false);
    expect(b.stats().current.A123).toBe(1);

    expect((await admin(b, 'DELETE', `/__admin/faults/${id}`)).status).toBe(200);
    await waitFor(() => client.ticks.length > ticksBefore, 'ticks after the fault is removed');
    client.send('ping');
    await waitFor(() => client.texts.includes('pong'), 'a pong after the fault is removed');
  });
});

describe('probability, seed, ttl and ids', () => {
  async function refusalSequence(seed: number): Promise<boolean[]> {
    const b = await start({ seed });
    b.inject({ type: 'reject-next', count: 100, probability: 0.5 });
    const seen: boolean[] = [];
    for (let i = 0; i < 16; i++) {
      const attempt = await handshake(b.url, sdkHeaders(ACCOUNT_A));
      seen.push(attempt.ok);
      if (attempt.ok) await attempt.client.close();
    }
    return seen;
  }

  it('the same seed refuses the same handshakes; another seed others', async () => {
    const first = await refusalSequence(5);
    const second = await refusalSequence(5);
    const other = await refusalSequence(6);

    expect(second).toEqual(first);
    expect(first).toContain(true);
    expect(first).toContain(false);
    expect(other).not.toEqual(first);
  });

  it('a fault with ttlMs is listed, then ends by itself, and the record and the log say so', async () => {
    const lines: string[] = [];
    const b = await start({ logLevel: 'info', logDestination: { write: (line: string) => void lines.push(line) } });
    const { status, json } = await admin(b, 'POST', '/__admin/faults', { type: 'latency', ms: 10, ttlMs: 200, id: 'slow' });
    const listed = await admin(b, 'GET', '/__admin/faults');

    expect(status).toBe(200);
    expect(json).toMatchObject({ id: 'slow', active: true });
    expect(listed.json).toMatchObject([{ id: 'slow', fault: { type: 'latency', ms: 10, ttlMs: 200 } }]);
    await waitFor(() => b.activeFaults().length === 0, 'the ttl');
    expect((await admin(b, 'GET', '/__admin/fault-events')).json.map((e: { type: string; reason?: string }) => [e.type, e.reason])).toEqual([
      ['fault-started', undefined],
      ['fault-ended', 'expired'],
    ]);
    expect(lines.map((l) => JSON.parse(l)).filter((l) => l.event === 'fault.ended')).toMatchObject([{ faultId: 'slow', faultType: 'latency', reason: 'expired', msg: 'Fault slow (latency) ended: expired' }]);
  });

  it('DELETE removes a fault by id; an id still active cannot be reused (409)', async () => {
    const b = await start();
    await admin(b, 'POST', '/__admin/faults', { type: 'half-open', id: 'quiet' });
    const reused = await admin(b, 'POST', '/__admin/faults', { type: 'stall', ms: 1000, id: 'quiet' });
    const removed = await admin(b, 'DELETE', '/__admin/faults/quiet');
    const again = await admin(b, 'DELETE', '/__admin/faults/quiet');

    expect(reused.status).toBe(409);
    expect(removed).toEqual({ status: 200, json: { status: 'ok', id: 'quiet' } });
    expect(again.status).toBe(404);
    expect(b.activeFaults()).toEqual([]);
    expect(b.faultEvents().at(-1)).toMatchObject({ type: 'fault-ended', faultId: 'quiet', reason: 'deleted' });
  });

  it('a fault named "plan" can be deleted too, though faults/plan is also the plan route', async () => {
    const b = await start();
    b.inject({ type: 'half-open', id: 'plan' });
    expect(await admin(b, 'DELETE', '/__admin/faults/plan')).toEqual({ status: 200, json: { status: 'ok', id: 'plan' } });
    expect((await admin(b, 'GET', '/__admin/faults/plan')).status).toBe(405);
  });

  it('refuses ttlMs on a fault that acts once, naming the field', async () => {
    const b = await start();
    const { status, json } = await admin(b, 'POST', '/__admin/faults', { type: 'drop-all', ttlMs: 100 });
    expect(status).toBe(400);
    expect(json.error).toMatch(/drop-all takes no field "ttlMs" \(drop-all acts once/);
  });

  it('an endpoint scope touches only that endpoint', async () => {
    const b = await start();
    const stream = await connect(b.url);
    const order = new WebSocket(b.orderUpdateUrl, { headers: { Authorization: 'Bearer jwt-A', 'x-client-code': 'A123' } });
    await new Promise((resolve) => order.once('open', resolve));

    const outcome = b.inject({ type: 'drop-all', endpoint: 'smart-order-update' });

    expect(outcome).toMatchObject({ affected: 1 });
    await waitFor(() => order.readyState === WebSocket.CLOSED, 'the order socket to be dropped');
    expect(stream.closed).toBe(false);
  });
});
