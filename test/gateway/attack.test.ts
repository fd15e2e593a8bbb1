import { afterEach, describe, expect, it } from 'vitest';
import { createConnection, type Socket } from 'node:net';
import { FakeClock } from '../support/gateway-fakes.ts';
import { startRig, USER, waitFor, type OpenAlgoClient, type Rig } from '../support/gateway-harness.ts';

/**
 * Issue 13 items 4–5, each attack bounded in frames sent. A client "never reads" by pausing its TCP
 * socket: the gateway's writes then pile up first in the kernel buffers and then in the gateway.
 */

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

function stopReading(client: OpenAlgoClient): void {
  (client.ws as unknown as { _socket: { pause(): void } })._socket.pause();
}

/** Sends `frame` in batches until the gateway drops the connection or `maxFrames` are sent; returns the count sent. */
async function flood(client: OpenAlgoClient, frame: string, maxFrames: number): Promise<number> {
  let sent = 0;
  while (sent < maxFrames && client.ws.readyState === client.ws.OPEN) {
    for (let i = 0; i < 500; i++) client.ws.send(frame);
    sent += 500;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return sent;
}

describe('a client that never reads cannot grow the gateway', () => {
  it('before authenticating: pongs count against the 64 KiB cap and the client is closed', async () => {
    rig = await startRig();
    const attacker = await rig.connect();
    stopReading(attacker);
    const ping = JSON.stringify({ action: 'ping', _pingId: 'p'.repeat(100), timestamp: 1 });
    const sent = await flood(attacker, ping, 200_000);
    expect(sent).toBeLessThan(200_000);
    await waitFor(() => rig!.logs.records().find((r) => r.event === 'client.slow'), 'the slow-client close');
    const slow = rig.logs.records().find((r) => r.event === 'client.slow')!;
    expect(slow.buffered as number).toBeLessThanOrEqual(64 * 1024);
    expect(slow.user).toBeUndefined();

    const bystander = await rig.connect();
    expect((await bystander.request({ action: 'ping' })).type).toBe('pong');
  });

  it('after authenticating: replies to unsubscribes of unknown symbols stop its reads, then close it as slow', async () => {
    rig = await startRig({ clientLimits: { slowGraceMs: 300 } });
    const attacker = await rig.connect();
    await attacker.authenticateOpen();
    stopReading(attacker);
    const symbols = Array.from({ length: 1_400 }, (_, i) => ({ symbol: `NOSUCH${i}`, exchange: 'NSE' }));
    const sent = await flood(attacker, JSON.stringify({ action: 'unsubscribe', symbols, mode: 1 }), 20_000);
    expect(sent).toBeLessThan(20_000);
    await waitFor(() => rig!.logs.records().find((r) => r.event === 'client.slow'), 'the slow-client close');
    expect(rig.logs.records().find((r) => r.event === 'client.slow')!.user).toBe(USER.userId);
  });

  it('echoed ids are limited to 128 characters of JSON', async () => {
    rig = await startRig();
    const client = await rig.connect();
    expect(await client.request({ action: 'ping', _pingId: 'x'.repeat(126) })).toMatchObject({ type: 'pong', _pingId: 'x'.repeat(126) });
    expect(await client.request({ action: 'ping', _pingId: 'x'.repeat(127) })).toMatchObject({ status: 'error', code: 'INVALID_PARAMETERS' });
    expect(await client.request({ action: 'ping', timestamp: 'x'.repeat(65_000) })).toMatchObject({ status: 'error', code: 'INVALID_PARAMETERS' });
    await client.authenticate();
    const reply = await client.request({ action: 'unsubscribe_all', request_id: 'r'.repeat(200) });
    expect(reply).toMatchObject({ status: 'error', code: 'INVALID_PARAMETERS' });
    expect(JSON.stringify(reply)).not.toContain('r'.repeat(200));
  });
});

describe('failed authentications are limited', () => {
  it('replies wait longer after each wrong key, the third closes the connection, and one warning counts the rest', async () => {
    const clock = new FakeClock();
    rig = await startRig({ clock, clientLimits: { authFailureDelayMs: 100 } });
    const attacker = await rig.connect();
    for (let i = 0; i < 5; i++) attacker.send({ action: 'authenticate', api_key: `wrong-${i}` });
    await waitFor(() => clock.pending().includes(100), 'the first reply delay');

    clock.advance(99);
    expect(attacker.received).toHaveLength(0);
    clock.advance(1);
    await waitFor(() => attacker.received.length === 1, 'the first AUTHENTICATION_ERROR');
    await waitFor(() => clock.pending().includes(200), 'the doubled second delay');
    clock.advance(200);
    await waitFor(() => clock.pending().includes(400), 'the doubled third delay');
    clock.advance(400);

    expect(await attacker.closed()).toBe(4003);
    expect(attacker.received.map((m) => m.code)).toEqual(['AUTHENTICATION_ERROR', 'AUTHENTICATION_ERROR', 'AUTHENTICATION_ERROR']);
    await waitFor(() => rig!.logs.count('client.disconnect') === 1, 'the disconnect line');
    const warnings = rig.logs.records().filter((r) => r.event === 'client.auth_failed');
    expect(warnings).toHaveLength(1);
    expect(rig.logs.records().find((r) => r.event === 'client.disconnect')).toMatchObject({ code: 4003, suppressedAuthWarnings: 2 });
  });
});

describe('slowloris before the upgrade', () => {
  function partialHeaders(url: string): Promise<Socket> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = createConnection({ host: hostname, port: Number(port) }, () => {
        socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n');
        resolve(socket);
      });
      socket.on('error', () => undefined);
      socket.once('error', reject);
    });
  }

  it('caps sockets waiting for their upgrade and destroys each one past its deadline', async () => {
    // The deadline runs on the gateway's clock: the test moves it instead of waiting 1.5 s.
    const clock = new FakeClock();
    rig = await startRig({ clock, upgradeLimits: { upgradeTimeoutMs: 1_500, maxPendingUpgrades: 4 } });
    const sockets: Socket[] = [];
    // One after the other, so the first four are the ones the gateway accepted first.
    for (let i = 0; i < 6; i++) sockets.push(await partialHeaders(rig.gateway.url));
    const closed = new Set<Socket>();
    for (const s of sockets) s.once('close', () => closed.add(s));

    await waitFor(() => closed.size === 2, 'the two sockets over the cap to be dropped');
    expect(sockets.slice(0, 4).some((s) => closed.has(s))).toBe(false);
    clock.advance(1_499);
    // A socket destroyed now would be seen closed here well within 50 ms on loopback.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed.size).toBe(2);
    clock.advance(1);
    await waitFor(() => closed.size === 6, 'the four waiting sockets to reach their deadline');

    const metrics = await (await fetch(`${rig.gateway.adminUrl}/metrics`)).text();
    expect(metrics).toContain('stormcheck_gateway_clients_closed_total{reason="too_many_pending_upgrades"} 2');
    expect(metrics).toContain('stormcheck_gateway_clients_closed_total{reason="upgrade_timeout"} 4');
    const client = await rig.connect();
    expect((await client.authenticate()).status).toBe('success');
  });

  it('a plain HTTP request on the client port gets 426 Upgrade Required', async () => {
    rig = await startRig();
    const res = await fetch(rig.gateway.url.replace('ws://', 'http://'));
    expect(res.status).toBe(426);
    await res.body?.cancel();
  });
});
