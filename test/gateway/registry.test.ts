import { beforeEach, describe, expect, it } from 'vitest';
import type { RegistryDeps } from '../../gateway/registry/registry.ts';
import { SingletonRegistry } from '../../gateway/registry/singleton-registry.ts';
import { fakeAdapterDeps, FakeClock, FakeSocket } from '../support/gateway-fakes.ts';
import { LogCapture, USER } from '../support/gateway-harness.ts';

describe('SingletonRegistry with fake sockets and a fake clock', () => {
  let clock: FakeClock;
  let logs: LogCapture;
  let registry: SingletonRegistry;

  function deps(overrides: Partial<RegistryDeps> = {}): RegistryDeps {
    return {
      ...fakeAdapterDeps(clock, logs),
      lingerMs: 0,
      maxUpstream: 2,
      ...overrides,
    };
  }

  beforeEach(() => {
    FakeSocket.created = [];
    FakeSocket.deferClose = false;
    clock = new FakeClock();
    logs = new LogCapture();
    registry = new SingletonRegistry(deps());
  });

  it('ten authenticates during one pending connect share one adapter and one socket', async () => {
    const acquires = Array.from({ length: 10 }, () => registry.acquire(USER));
    expect(FakeSocket.created).toHaveLength(1);
    FakeSocket.created[0]!.acceptHandshake();
    const leases = await Promise.all(acquires);
    expect(new Set(leases.map((l) => l.adapter)).size).toBe(1);
    expect(logs.count('adapter.create')).toBe(1);
    expect(logs.count('adapter.reuse')).toBe(9);
    expect(registry.health()).toEqual([
      { user: USER.userId, broker: 'angel', state: 'open', upstreamConnections: 1, subscriptions: 0, clients: 10, pool: { maxUpstream: 2, tokens: [0], open: 1, waiting: 0 } },
    ]);
  });

  it('clients leaving keep the adapter; remove closes the upstream before a new adapter may dial', async () => {
    FakeSocket.deferClose = true;
    const first = registry.acquire(USER);
    FakeSocket.created[0]!.acceptHandshake();
    (await first).release();
    expect(registry.health()).toHaveLength(1);

    const removed = registry.remove(USER.userId, USER.broker);
    const next = registry.acquire(USER);
    await Promise.resolve();
    expect(FakeSocket.created).toHaveLength(1);
    expect(FakeSocket.created[0]!.closing).toBe(true);

    FakeSocket.created[0]!.completeClose();
    await removed;
    await new Promise((resolve) => setImmediate(resolve));
    expect(FakeSocket.created).toHaveLength(2);
    FakeSocket.created[1]!.acceptHandshake();
    await next;
    expect(logs.count('adapter.create')).toBe(2);
    expect(logs.records().filter((r) => r.event === 'adapter.active').map((r) => [r.msg, r.userAdapters])).toEqual([
      ['Active angel adapters: 1', 1],
      ['Active angel adapters: 0', 0],
      ['Active angel adapters: 1', 1],
    ]);
  });

  it('with lingerMs the adapter is released only after the last client has been gone that long', async () => {
    registry = new SingletonRegistry(deps({ lingerMs: 1_000 }));
    const a = registry.acquire(USER);
    FakeSocket.created[0]!.acceptHandshake();
    (await a).release();
    clock.advance(500);
    const b = await registry.acquire(USER);
    b.release();
    clock.advance(999);
    expect(registry.health()).toHaveLength(1);
    clock.advance(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(registry.health()).toHaveLength(0);
    expect(FakeSocket.created[0]!.readyState).toBe(3);
    expect(logs.count('adapter.linger')).toBe(1);
  });
});
