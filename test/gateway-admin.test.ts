import { afterEach, describe, expect, it } from 'vitest';
import { startGateway } from '../gateway/index.ts';
import { LogCapture, startRig, USER, waitFor, type Rig } from './gateway-harness.ts';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('admin HTTP', () => {
  it('GET /health reports clients and each adapter in the SPEC §6 shape', async () => {
    rig = await startRig();
    const client = await rig.connect();
    await client.authenticate();
    await client.request({ action: 'subscribe', symbol: 'SBIN', exchange: 'NSE', mode: 1 });
    const res = await fetch(`${rig.gateway.adminUrl}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ok',
      clients: 1,
      adapters: [{ user: USER.userId, broker: 'angel', state: 'open', upstreamConnections: 1, subscriptions: 1, clients: 1 }],
    });
  });

  it('GET /metrics is Prometheus text from this gateway only', async () => {
    rig = await startRig();
    const client = await rig.connect();
    await client.authenticate();
    const res = await fetch(`${rig.gateway.adminUrl}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('# TYPE stormcheck_gateway_upstream_connect_attempts_total counter');
    expect(text).toMatch(/^stormcheck_gateway_clients 1$/m);
    expect(text).toMatch(/^stormcheck_gateway_upstream_connections 1$/m);
    expect(text).toMatch(/^stormcheck_gateway_adapters_created_total 1$/m);
  });

  it('POST /users/:id/logout closes the user upstream; unknown users get 404, wrong methods 405', async () => {
    rig = await startRig();
    const client = await rig.connect();
    await client.authenticate();
    const res = await fetch(`${rig.gateway.adminUrl}/users/${USER.userId}/logout`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', user: USER.userId });
    await waitFor(() => (rig!.broker.stats().current[USER.clientCode] ?? 0) === 0, 'the upstream to close');
    expect((await fetch(`${rig.gateway.adminUrl}/users/nobody/logout`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${rig.gateway.adminUrl}/users/${USER.userId}/logout`)).status).toBe(405);
    expect((await fetch(`${rig.gateway.adminUrl}/nothing`)).status).toBe(404);
  });

  it('close() ends clients with 1001 and closes the upstream', async () => {
    rig = await startRig();
    const client = await rig.connect();
    await client.authenticate();
    await rig.gateway.close();
    expect(await client.closed()).toBe(1001);
    await waitFor(() => (rig!.broker.stats().current[USER.clientCode] ?? 0) === 0, 'the upstream to close');
    expect(rig.logs.count('gateway.stop')).toBe(1);
  });

  it('a port in use rejects startGateway with EADDRINUSE and leaves nothing listening', async () => {
    rig = await startRig();
    const taken = Number(new URL(rig.gateway.adminUrl).port);
    const attempt = startGateway({ port: 0, adminPort: taken, brokerUrl: rig.broker.url, logDestination: new LogCapture() });
    await expect(attempt).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect((await fetch(`${rig.gateway.adminUrl}/health`)).status).toBe(200);
  });
});
