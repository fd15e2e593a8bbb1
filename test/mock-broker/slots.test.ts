import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockBroker, type Account, type MockBroker, type OnLimit } from '../../mock-broker/index.ts';
import { ACCOUNT_A, ACCOUNT_B, closeAllClients, handshake, sdkHeaders, waitFor, type TestClient } from '../support/mock-broker-client.ts';

/**
 * Model-based check of the connection limit: whatever mix of opens, graceful closes, abrupt resets and
 * drop-alls happens, the broker's open-connection count per client code matches a simple model and
 * never exceeds the limit.
 */

const LIMIT = 2;
const ACCOUNTS = [ACCOUNT_A, ACCOUNT_B];

interface Model {
  onLimit: OnLimit;
  /** Live connections per client code, oldest first. */
  live: Map<string, TestClient[]>;
}

interface Real {
  broker: MockBroker;
}

const liveOf = (m: Model, code: string): TestClient[] => m.live.get(code) ?? [];

async function matchesModel(m: Model, r: Real): Promise<void> {
  const expected = (code: string) => liveOf(m, code).length;
  await waitFor(
    () => ACCOUNTS.every((a) => (r.broker.stats().current[a.clientCode] ?? 0) === expected(a.clientCode)),
    `broker counts ${JSON.stringify(r.broker.stats().current)} to match the model`,
  );
  for (const peak of Object.values(r.broker.stats().peak)) expect(peak).toBeLessThanOrEqual(LIMIT);
}

class Open implements fc.AsyncCommand<Model, Real> {
  constructor(readonly account: Account) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const live = liveOf(m, this.account.clientCode);
    const result = await handshake(r.broker.url, sdkHeaders(this.account));
    if (live.length < LIMIT || m.onLimit === 'evict-oldest') {
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      if (live.length >= LIMIT) {
        const evicted = live.shift()!;
        await waitFor(() => evicted.closed, 'the evicted connection to close');
      }
      m.live.set(this.account.clientCode, [...live, result.client]);
    } else {
      expect(result).toMatchObject({ ok: false, status: 429 });
    }
    await matchesModel(m, r);
  }
  toString = () => `open(${this.account.clientCode})`;
}

class End implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly account: Account,
    readonly pick: number,
    readonly how: 'close' | 'reset',
  ) {}
  check = (m: Readonly<Model>) => liveOf(m as Model, this.account.clientCode).length > 0;
  async run(m: Model, r: Real): Promise<void> {
    const live = liveOf(m, this.account.clientCode);
    const [client] = live.splice(this.pick % live.length, 1);
    if (this.how === 'close') await client!.close();
    else client!.ws.terminate();
    await matchesModel(m, r);
  }
  toString = () => `${this.how}(${this.account.clientCode}#${this.pick})`;
}

class DropAll implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const all = [...m.live.values()].flat();
    r.broker.inject({ type: 'drop-all' });
    m.live.clear();
    await matchesModel(m, r);
    await waitFor(() => all.every((c) => c.closed), 'dropped clients to see the close');
  }
  toString = () => 'drop-all';
}

const commands = [
  fc.constantFrom(...ACCOUNTS).map((a) => new Open(a)),
  fc.tuple(fc.constantFrom(...ACCOUNTS), fc.nat(5), fc.constantFrom('close' as const, 'reset' as const)).map(([a, n, how]) => new End(a, n, how)),
  fc.constant(new DropAll()),
];

let broker: MockBroker | undefined;

afterEach(async () => {
  closeAllClients();
  await broker?.close();
  broker = undefined;
});

describe.each(['reject', 'evict-oldest'] as const)('mock broker slot accounting with --on-limit %s', { timeout: 60_000 }, (onLimit) => {
  it('matches the model under any sequence of opens, closes, resets and drop-alls', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 30 }), async (cmds) => {
        closeAllClients();
        await broker?.close();
        broker = await startMockBroker({ port: 0, logLevel: 'silent', limit: LIMIT, onLimit });
        await fc.asyncModelRun(() => ({ model: { onLimit, live: new Map() }, real: { broker: broker! } }), cmds);
      }),
      { numRuns: 20 },
    );
  });
});
