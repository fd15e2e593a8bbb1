import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { MockBroker } from '../../mock-broker/index.ts';
import { connect, mockBrokersPerTest } from '../support/mock-broker-client.ts';

const start = mockBrokersPerTest();

/** A raw admin request, so the test controls every header (fetch sets its own Host and no Origin). */
function adminRequest(
  broker: MockBroker,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, broker.adminUrl), { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString() || '{}') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const DROP_ALL = JSON.stringify({ type: 'drop-all' });
const REFUSE_1000 = JSON.stringify({ type: 'reject-next', count: 1000 });

describe('mock broker admin safety', () => {
  it('refuses admin requests carrying a browser Origin with 403, so a page cannot drop-all or queue refusals', async () => {
    const b = await start();
    const client = await connect(b.url);

    const drop = await adminRequest(b, 'POST', '/__admin/faults', { origin: 'http://evil.example', 'content-type': 'text/plain' }, DROP_ALL);
    const refuse = await adminRequest(b, 'POST', '/__admin/faults', { origin: 'null' }, REFUSE_1000);
    const reset = await adminRequest(b, 'POST', '/__admin/reset', { origin: `http://127.0.0.1:${b.port}` });

    expect([drop.status, refuse.status, reset.status]).toEqual([403, 403, 403]);
    expect(drop.body.error).toMatch(/Origin/);
    expect(client.closed).toBe(false);
    expect(b.events().map((e) => e.type)).toEqual(['accepted']);
    expect((await connect(b.url)).closed).toBe(false);
  });

  it('on a loopback bind refuses admin requests whose Host is not the loopback (DNS rebinding) but accepts its names', async () => {
    const b = await start();

    const rebound = await adminRequest(b, 'POST', '/__admin/faults', { host: `attacker.example:${b.port}` }, REFUSE_1000);
    const angel = await adminRequest(b, 'GET', '/__admin/stats', { host: 'smartapisocket.angelone.in' });
    const names = await Promise.all(
      ['localhost', '127.0.0.1', '[::1]', `localhost:${b.port}`, `127.0.0.1:${b.port}`].map((host) => adminRequest(b, 'GET', '/__admin/stats', { host })),
    );

    expect([rebound.status, angel.status]).toEqual([403, 403]);
    expect(rebound.body.error).toMatch(/Host/);
    expect(names.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(b.stats().rejected['429']).toBe(0);
  });

  it('accepts the bind address itself as Host on another loopback address', async () => {
    const b = await start({ host: '127.0.0.2' });
    expect((await adminRequest(b, 'GET', '/__admin/stats', { host: `127.0.0.2:${b.port}` })).status).toBe(200);
    expect((await adminRequest(b, 'GET', '/__admin/stats', { host: `127.0.0.3:${b.port}` })).status).toBe(403);
  });

  it('checks Host on admin routes only: a client reaching the stream as smartapisocket.angelone.in is served', async () => {
    const b = await start();
    const stream = await adminRequest(b, 'GET', '/smart-stream', { host: 'smartapisocket.angelone.in' });
    expect(stream.status).toBe(426);
  });

  it('with an admin token every admin request needs the bearer token', async () => {
    const b = await start({ adminToken: 'mock-7c1e' });
    const client = await connect(b.url);

    const none = await adminRequest(b, 'POST', '/__admin/faults', {}, DROP_ALL);
    const wrong = await adminRequest(b, 'GET', '/__admin/stats', { authorization: 'Bearer nope' });
    const right = await adminRequest(b, 'GET', '/__admin/stats', { authorization: 'Bearer mock-7c1e' });

    expect([none.status, wrong.status, right.status]).toEqual([401, 401, 200]);
    expect(none.body.error).toMatch(/Authorization: Bearer/);
    expect(client.closed).toBe(false);
  });
});
