import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { hostname } from 'node:os';
import { startGateway } from '../../gateway/index.ts';
import { prettyColours } from '../../gateway/logger.ts';
import { closeAllClients, connect } from '../support/mock-broker-client.ts';
import { LogCapture, startRig, USER, waitFor, type Rig } from '../support/gateway-harness.ts';

let rig: Rig | undefined;
afterEach(async () => {
  closeAllClients();
  await rig?.close();
  rig = undefined;
});

describe('admin HTTP', () => {
  it('GET /health reports clients and each adapter in the shape of docs/gateway.md#admin-http', async () => {
    rig = await startRig();
    const client = await rig.connect();
    await client.authenticateOpen();
    await client.request({ action: 'subscribe', symbol: 'SBIN', exchange: 'NSE', mode: 1 });
    const res = await fetch(`${rig.gateway.adminUrl}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ok',
      clients: 1,
      adapters: [{ user: USER.userId, broker: 'angel', state: 'open', upstreamConnections: 1, subscriptions: 1, clients: 1, pool: { maxUpstream: 2, tokens: [1], open: 1, waiting: 0 } }],
    });
  });

  it('GET /metrics is Prometheus text from this gateway only', async () => {
    rig = await startRig();
    const client = await rig.connect();
    await client.authenticateOpen();
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

/** A raw admin request, so the test controls every header (fetch will not send a custom Host). */
function adminRequest(
  adminUrl: string,
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Record<string, any> }> {
  const url = new URL(path, adminUrl);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString() || '{}') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('admin security (issue 13 item 7)', () => {
  it('listens on --admin-host, separately from the client host', async () => {
    rig = await startRig({ adminHost: '127.0.0.2' });
    expect(new URL(rig.gateway.adminUrl).hostname).toBe('127.0.0.2');
    expect(new URL(rig.gateway.url).hostname).toBe('127.0.0.1');
    expect((await adminRequest(rig.gateway.adminUrl, '/health')).status).toBe(200);
    const port = new URL(rig.gateway.adminUrl).port;
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });

  it('refuses any Origin header, a foreign Host on loopback and non-JSON bodies', async () => {
    rig = await startRig();
    const logout = `/users/${USER.userId}/logout`;
    expect(await adminRequest(rig.gateway.adminUrl, logout, { method: 'POST', headers: { origin: 'http://127.0.0.1:8766' } })).toMatchObject({ status: 403 });
    expect(await adminRequest(rig.gateway.adminUrl, '/health', { headers: { host: 'evil.example:8766' } })).toMatchObject({ status: 403 });
    expect(await adminRequest(rig.gateway.adminUrl, logout, { method: 'POST', headers: { 'content-type': 'text/plain' } })).toMatchObject({ status: 415 });
    expect(
      await adminRequest(rig.gateway.adminUrl, logout, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    ).toMatchObject({ status: 415 });
    expect(rig.logs.count('admin.logout')).toBe(0);
    expect(await adminRequest(rig.gateway.adminUrl, logout, { method: 'POST', headers: { 'content-type': 'application/json' } })).toMatchObject({
      status: 200,
    });
  });

  it('with --admin-token every request needs the bearer token', async () => {
    rig = await startRig({ adminToken: 'adm-7c1e-secret' });
    expect((await adminRequest(rig.gateway.adminUrl, '/health')).status).toBe(401);
    expect((await adminRequest(rig.gateway.adminUrl, '/metrics', { headers: { authorization: 'Bearer adm-7c1e-secreT' } })).status).toBe(401);
    expect((await adminRequest(rig.gateway.adminUrl, '/health', { headers: { authorization: 'Bearer adm-7c1e-secret' } })).status).toBe(200);
    expect(rig.logs.text()).not.toContain('adm-7c1e-secret');
  });

  it('/health is 503 with the reason while an adapter is refused and retrying, 200 once it is open', async () => {
    rig = await startRig();
    const others = [await connect(rig.broker.url, OTHER_APP), await connect(rig.broker.url, OTHER_APP)];
    const client = await rig.connect();
    await client.authenticate();
    await client.brokerState('refused-retrying');
    const refused = await waitFor(async () => {
      const res = await adminRequest(rig!.gateway.adminUrl, '/health');
      return res.status === 503 ? res : undefined;
    }, 'health 503');
    expect(refused.body).toMatchObject({ status: 'unavailable', reasons: [expect.stringContaining(`user ${USER.userId} is refused or disconnected and retrying`)] });
    others[0]!.ws.close();
    await client.brokerState('open');
    expect((await adminRequest(rig.gateway.adminUrl, '/health')).body.status).toBe('ok');
  });

  it('malformed percent-encoding in a user id is 400, not 500', async () => {
    rig = await startRig();
    expect(await adminRequest(rig.gateway.adminUrl, '/users/%E0%A4%A/logout', { method: 'POST' })).toMatchObject({ status: 400 });
  });
});

const OTHER_APP = { clientCode: USER.clientCode, apiKey: USER.brokerApiKey, feedToken: USER.feedToken, authToken: USER.authToken };

describe('operability (issue 13 item 8)', () => {
  it('logLevel warn drops info lines and keeps warnings; every line carries pid and hostname', async () => {
    rig = await startRig({ logLevel: 'warn' });
    const client = await rig.connect();
    await client.request({ action: 'authenticate', api_key: 'wrong' });
    await waitFor(() => rig!.logs.count('client.auth_failed') === 1, 'the warning');
    expect(rig.logs.count('gateway.start')).toBe(0);
    expect(rig.logs.count('client.connect')).toBe(0);
    expect(rig.logs.records().every((r) => r.pid === process.pid && r.hostname === hostname())).toBe(true);
  });

  it('/metrics has process metrics, stormcheck_build_info and zero-initialised labelled series', async () => {
    rig = await startRig();
    const text = await (await fetch(`${rig.gateway.adminUrl}/metrics`)).text();
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(text).toMatch(/^stormcheck_build_info\{version="0\.1\.0",node_version="v\d+\.\d+\.\d+",registry="singleton"\} 1$/m);
    expect(text).toMatch(/^stormcheck_gateway_upstream_rejections_total\{status="429"\} 0$/m);
    expect(text).toMatch(/^stormcheck_gateway_clients_closed_total\{reason="slow_consumer"\} 0$/m);
    expect(text).toMatch(/^stormcheck_gateway_client_errors_total\{code="AUTHENTICATION_ERROR"\} 0$/m);
  });

  it('pretty logs are coloured only on a terminal and never with NO_COLOR', () => {
    expect(prettyColours({}, true)).toBe(true);
    expect(prettyColours({}, false)).toBe(false);
    expect(prettyColours({ NO_COLOR: '1' }, true)).toBe(false);
    expect(prettyColours({ NO_COLOR: '' }, true)).toBe(true);
  });
});
