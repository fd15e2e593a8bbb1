import { createConnection, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { FakeClock } from '../support/gateway-fakes.ts';
import { OpenAlgoClient, startRig, USER, waitFor, type Rig } from '../support/gateway-harness.ts';

/**
 * Per-source limits at the client endpoint (docs/gateway.md#per-source-limits), on real sockets. Loopback
 * has a whole /8, so the attacker connects from 127.0.0.2 and the legitimate clients from 127.0.0.1.
 */

const ATTACKER = '127.0.0.2';
let rig: Rig | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await rig?.close();
  rig = undefined;
});

/** A TCP connection from `localAddress` that sends half an upgrade request and then nothing (slowloris). */
function slowUpgrade(url: string, localAddress: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port), localAddress }, () => {
      socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n');
      resolve(socket);
    });
    socket.on('error', () => undefined);
    sockets.push(socket);
  });
}

/** Opens a WebSocket from `localAddress`; resolves to the client, or to the HTTP status of a refused upgrade. */
function openFrom(url: string, localAddress: string, headers: Record<string, string> = {}): Promise<WebSocket | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { localAddress, headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', () => resolve(0));
  });
}

/** A WebSocket handshake done by hand, so the test decides what the client does with a close frame. */
function rawWebSocket(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port), localAddress: ATTACKER }, () => {
      socket.write(
        'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
    });
    socket.on('error', () => undefined);
    sockets.push(socket);
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      resolve(socket);
    };
    socket.on('data', onData);
  });
}

/** One masked text frame, as a client must send it (RFC 6455 §5.3). */
function maskedText(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = Buffer.from([1, 2, 3, 4]);
  const masked = payload.map((byte, i) => byte ^ mask[i % 4]!);
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]);
}

async function metric(r: Rig, reason: string): Promise<number> {
  const text = await (await fetch(`${r.gateway.adminUrl}/metrics`)).text();
  return Number(new RegExp(`stormcheck_gateway_clients_closed_total\\{reason="${reason}"\\} (\\d+)`).exec(text)?.[1]);
}

describe('per-source limits', () => {
  it('a bounded slowloris from one address leaves 28 of 28 other clients served', { timeout: 30_000 }, async () => {
    rig = await startRig({ upgradeLimits: { maxPendingUpgrades: 40 }, sourceLimits: { maxPendingUpgrades: 10 } });
    for (let i = 0; i < 60; i++) await slowUpgrade(rig.gateway.url, ATTACKER);
    await waitFor(async () => (await metric(rig!, 'too_many_pending_upgrades_per_source')) === 50, 'the attacker held to 10 pending upgrades');

    const served = await Promise.all(
      Array.from({ length: 28 }, async () => {
        const client = await rig!.connect();
        await client.authenticateOpen();
        await client.request({ action: 'subscribe', symbol: 'SBIN', exchange: 'NSE', mode: 1 });
        await waitFor(() => client.marketData().length > 0, 'market data');
        return client;
      }),
    );

    expect(served).toHaveLength(28);
    expect(await metric(rig, 'too_many_pending_upgrades')).toBe(0);
  });

  it('wrong keys count per address across reconnects: the delay grows, then the address is refused with 429 and Retry-After', async () => {
    rig = await startRig({ clientLimits: { authFailureDelayMs: 1 }, sourceLimits: { authFailuresBeforeBlock: 5, authBlockMs: 60_000 } });
    let wrongKeys = 0;
    let refusal: number | undefined;
    while (refusal === undefined && wrongKeys < 20) {
      const ws = await openFrom(rig.gateway.url, ATTACKER);
      if (typeof ws === 'number') {
        refusal = ws;
        break;
      }
      await new Promise<void>((resolve) => {
        ws.on('message', () => {
          wrongKeys += 1;
          ws.send(JSON.stringify({ action: 'authenticate', api_key: `wrong-${wrongKeys}` }));
        });
        ws.once('close', () => resolve());
        ws.send(JSON.stringify({ action: 'authenticate', api_key: 'wrong-0' }));
      });
    }

    expect(refusal).toBe(429);
    expect(wrongKeys).toBe(5);
    expect(await metric(rig, 'auth_blocked')).toBe(1);
    expect(rig.logs.count('client.source_blocked')).toBe(1);
    const good = await rig.connect();
    expect((await good.authenticate()).status).toBe('success');
  });

  it('caps open and unauthenticated connections per address', async () => {
    rig = await startRig({ sourceLimits: { maxConnections: 3, maxUnauthenticated: 2 } });
    const idle = [await openFrom(rig.gateway.url, ATTACKER), await openFrom(rig.gateway.url, ATTACKER)];
    expect(idle.every((ws) => ws instanceof WebSocket)).toBe(true);
    expect(await openFrom(rig.gateway.url, ATTACKER)).toBe(429);
    const authed = idle[0] as WebSocket;
    authed.send(JSON.stringify({ action: 'authenticate', api_key: USER.apiKey }));
    await new Promise((resolve) => authed.once('message', resolve));
    const third = await openFrom(rig.gateway.url, ATTACKER);
    expect(third).toBeInstanceOf(WebSocket);
    expect(await openFrom(rig.gateway.url, ATTACKER)).toBe(429);
    expect(await metric(rig, 'too_many_unauthenticated_per_source')).toBe(1);
    expect(await metric(rig, 'too_many_connections_per_source')).toBe(1);
    for (const ws of [...idle, third]) (ws as WebSocket).terminate();
  });

  it('an unauthenticated connection is destroyed at its deadline, and what it sends after the close frame is not parsed', async () => {
    const clock = new FakeClock();
    rig = await startRig({ clock, clientLimits: { authTimeoutMs: 1_000 } });
    // A client that ignores the close frame: a raw socket that never answers it.
    const socket = await rawWebSocket(rig.gateway.url);
    let closed = false;
    socket.once('close', () => (closed = true));
    const frames: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => {
      frames.push(chunk);
      // Keeps talking after the close frame: none of it may be handled.
      if (!socket.destroyed) socket.write(maskedText(JSON.stringify({ action: 'ping' })));
    });

    clock.advance(1_000);
    await waitFor(() => closed, 'the gateway to destroy the socket');

    expect(Buffer.concat(frames).readUInt16BE(2)).toBe(4001);
    const text = await (await fetch(`${rig.gateway.adminUrl}/metrics`)).text();
    expect(/stormcheck_gateway_client_messages_total (\d+)/.exec(text)?.[1]).toBe('0');
    await waitFor(() => rig!.logs.count('client.disconnect') === 1, 'the disconnect line');
    expect(rig.logs.records().find((r) => r.event === 'client.disconnect')).toMatchObject({ code: 4001 });
  });

  it('--trust-proxy: behind a trusted proxy the X-Forwarded-For address is the source', async () => {
    rig = await startRig({ trustProxy: ['127.0.0.0/8'], sourceLimits: { maxConnections: 1 } });
    const viaProxy = (client: string) => openFrom(rig!.gateway.url, ATTACKER, { 'x-forwarded-for': `203.0.113.9, ${client}` });
    const first = await viaProxy('198.51.100.1');
    const second = await viaProxy('198.51.100.2');
    expect(first).toBeInstanceOf(WebSocket);
    expect(second).toBeInstanceOf(WebSocket);
    expect(await viaProxy('198.51.100.1')).toBe(429);
    await waitFor(() => rig!.logs.records().filter((r) => r.event === 'client.connect').length === 2, 'two connect lines');
    expect(rig.logs.records().filter((r) => r.event === 'client.connect').map((r) => r.remote)).toEqual(['198.51.100.1', '198.51.100.2']);
    for (const ws of [first, second]) (ws as WebSocket).terminate();
    const direct = await OpenAlgoClient.open(rig.gateway.url);
    rig.clients.push(direct);
    expect((await direct.authenticate()).status).toBe('success');
  });
});
