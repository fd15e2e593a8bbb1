import { afterEach, describe, expect, it } from 'vitest';
import type { MockBroker } from '../../mock-broker/index.ts';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_TIMER_MS } from '../../mock-broker/faults.ts';
import { AUTH_ERROR_MESSAGES } from '../../protocol/smartapi/index.ts';
import { ACCOUNT_A, ACCOUNT_B, mockBrokersPerTest, connect, handshake, sdkHeaders, waitFor } from '../support/mock-broker-client.ts';

const start = mockBrokersPerTest({ tickMs: 20 });
const tempDirs: string[] = [];

afterEach(async () => {
  await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function post(b: MockBroker, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${b.adminUrl}${path}`, {
    method: 'POST',
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('mock broker drop faults: close frame or cut connection', () => {
  it('drop-all with mode close sends each client a close frame with the code, so its close-frame path runs', async () => {
    const b = await start();
    const clients = [await connect(b.url, ACCOUNT_A), await connect(b.url, ACCOUNT_B)];

    const { status, json } = await post(b, '/__admin/faults', { type: 'drop-all', mode: 'close', code: 1001 });

    expect(status).toBe(200);
    expect(json).toMatchObject({ affected: 2, affectedByClientCode: { A123: 1, B456: 1 } });
    await waitFor(() => clients.every((c) => c.closed), 'the close frames');
    expect(clients.map((c) => c.closeCode)).toEqual([1001, 1001]);
    expect(b.stats().current).toEqual({ A123: 0, B456: 0 });
    expect(b.events().filter((e) => e.type === 'closed').map((e) => (e as { reason: string }).reason)).toEqual([
      'drop-all fault (close 1001)',
      'drop-all fault (close 1001)',
    ]);
  });

  it('drop-all with mode abort cuts TCP: the client sees 1006 and no close frame', async () => {
    const b = await start();
    const client = await connect(b.url);

    await post(b, '/__admin/faults', { type: 'drop-all', mode: 'abort' });

    await waitFor(() => client.closed, 'the cut');
    expect(client.closeCode).toBe(1006);
  });

  it('drop-all with a clientCode ends only that code and says so; one matching nothing reports 0 affected', async () => {
    const b = await start();
    const a = await connect(b.url, ACCOUNT_A);
    const other = await connect(b.url, ACCOUNT_B);

    const hit = await post(b, '/__admin/faults', { type: 'drop-all', clientCode: 'A123' });
    const miss = await post(b, '/__admin/faults', { type: 'drop-all', clientCode: 'NOBODY' });

    expect(hit.json).toMatchObject({ affected: 1, affectedByClientCode: { A123: 1 } });
    expect(miss.json).toMatchObject({ affected: 0, affectedByClientCode: {} });
    await waitFor(() => a.closed, 'A123 to be dropped');
    expect(other.closed).toBe(false);
  });

  it('close-after with mode close ends the connection with a close frame after exactly N frames', async () => {
    const b = await start();
    const client = await connect(b.url);

    const { json } = await post(b, '/__admin/faults', { type: 'close-after', messages: 2, mode: 'close', code: 4000 });
    for (let i = 0; i < 4; i++) client.send('ping');

    await waitFor(() => client.closed, 'the close');
    expect(json).toMatchObject({ affected: 1, affectedByClientCode: { A123: 1 } });
    expect(client.texts).toEqual(['pong', 'pong']);
    expect(client.closeCode).toBe(4000);
  });
});

describe('mock broker expire-token fault', () => {
  it('refuses every later handshake with the expired JWT with 401 until the accounts are reloaded; open sockets stay', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stormcheck-accounts-'));
    tempDirs.push(dir);
    const file = join(dir, 'accounts.json');
    await writeFile(file, JSON.stringify([ACCOUNT_A, ACCOUNT_B]));
    const b = await start({ accounts: [ACCOUNT_A, ACCOUNT_B], accountsFile: file });
    const open = await connect(b.url, ACCOUNT_A);

    const { json } = await post(b, '/__admin/faults', { type: 'expire-token', clientCode: 'A123' });
    const refused = await handshake(b.url, sdkHeaders(ACCOUNT_A));
    const refusedAgain = await handshake(b.url, sdkHeaders(ACCOUNT_A));
    const otherUser = await handshake(b.url, sdkHeaders(ACCOUNT_B));
    const reloaded = await post(b, '/__admin/reload-accounts');
    const after = await handshake(b.url, sdkHeaders(ACCOUNT_A));

    expect(json).toMatchObject({ status: 'ok', affected: 0, expiredTokens: 1 });
    expect(refused).toMatchObject({ ok: false, status: 401, errorMessage: AUTH_ERROR_MESSAGES.header });
    expect(refusedAgain).toMatchObject({ ok: false, status: 401 });
    expect(otherUser.ok).toBe(true);
    expect(reloaded).toEqual({ status: 200, json: { status: 'ok', accounts: 2 } });
    expect(after.ok).toBe(true);
    expect(open.closed).toBe(false);
  });

  it('without accounts expires the JWTs the client code has used; a fresh JWT (a new login) is accepted', async () => {
    const b = await start();
    await connect(b.url, ACCOUNT_A);

    b.inject({ type: 'expire-token', clientCode: 'A123' });
    const old = await handshake(b.url, sdkHeaders(ACCOUNT_A));
    const fresh = await handshake(b.url, sdkHeaders({ ...ACCOUNT_A, authToken: 'jwt-A-relogin' }));

    expect(old).toMatchObject({ ok: false, status: 401 });
    expect(fresh.ok).toBe(true);
  });

  it('reload-accounts keeps the accounts in use and answers 400 when the file has gone bad', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stormcheck-accounts-'));
    tempDirs.push(dir);
    const file = join(dir, 'accounts.json');
    await writeFile(file, '[not json');
    const b = await start({ accounts: [ACCOUNT_A], accountsFile: file });

    const { status, json } = await post(b, '/__admin/reload-accounts');

    expect(status).toBe(400);
    expect(String(json.error)).toContain(file);
    expect((await handshake(b.url, sdkHeaders(ACCOUNT_A))).ok).toBe(true);
  });
});

describe('mock broker stall range', () => {
  it('refuses a stall past Node\'s timer range with 400 instead of letting it become 1 ms', async () => {
    const b = await start();
    const client = await connect(b.url);

    const tooLong = await post(b, '/__admin/faults', { type: 'stall', ms: MAX_TIMER_MS + 1 });
    const longest = await post(b, '/__admin/faults', { type: 'stall', ms: MAX_TIMER_MS });
    client.send('ping');
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(tooLong.status).toBe(400);
    expect(String(tooLong.json.error)).toMatch(/2147483647/);
    expect(longest.status).toBe(200);
    expect(client.texts).toEqual([]);
  });
});

describe('mock broker fault validation', () => {
  it.each([
    ['an unknown type', { type: 'explode' }, /unknown fault type "explode"/],
    ['an unknown field', { type: 'drop-all', force: true }, /drop-all takes no field "force"/],
    ['an unknown mode', { type: 'drop-all', mode: 'gently' }, /"mode" must be "close"/],
    ['a code with abort', { type: 'drop-all', mode: 'abort', code: 1001 }, /"code" needs "mode":"close"/],
    ['a reserved close code', { type: 'drop-all', mode: 'close', code: 1006 }, /close code a server may send/],
    ['a close code out of range', { type: 'close-after', messages: 1, mode: 'close', code: 70000 }, /close code a server may send/],
    ['an empty clientCode', { type: 'drop-all', clientCode: '' }, /"clientCode" must be a non-empty string/],
    ['a fractional count', { type: 'reject-next', count: 1.5 }, /positive integer/],
    ['a huge count', { type: 'reject-next', count: 2 ** 60 }, /positive integer/],
    ['a string ms', { type: 'stall', ms: '100' }, /integer from 1 to/],
    ['expire-token without a client code', { type: 'expire-token' }, /expire-token needs "clientCode"/],
    ['a fault that is an array', [{ type: 'drop-all' }], /a fault is a JSON object/],
  ])('answers %s with 400 and a message naming the problem', async (_name, body, message) => {
    const b = await start();
    const client = await connect(b.url);

    const { status, json } = await post(b, '/__admin/faults', body);

    expect(status).toBe(400);
    expect(String(json.error)).toMatch(message);
    expect(client.closed).toBe(false);
  });
});
