import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LeaseKeeper } from '../../gateway/cluster/lease.ts';
import { FakeRedis, FakeRedisLink, type LinkMode } from '../support/cluster-fake-redis.ts';
import { FakeClock } from '../support/gateway-fakes.ts';

const TTL_MS = 3_000;
/** How long a closing upstream stays open at the broker: the close handshake's round trip, or a slow one. */
const CLOSE_MS = 400;
const NODES = 3;
const KEYS = { lease: 'stormcheck:lease:u:angel', fence: 'stormcheck:fence:u:angel', epoch: 'stormcheck:epoch' };

/**
 * What the broker would see: which gateway has its upstream open. A node opens on `onAcquired`; on
 * `onLost` it stops using the upstream at once, but the broker sees the socket go only `CLOSE_MS` later.
 * The model asserts at each opening that nobody else is open and that the token is higher than every
 * token seen before.
 */
class Broker {
  readonly open = new Set<number>();
  /** Nodes whose upstream is open and not yet told to close. */
  readonly using = new Set<number>();
  highestToken = 0;
  handovers = 0;
  /** An attacker wrote to Redis: fencing tokens may repeat (the counter was deleted), overlap must not. */
  tampered = false;

  opened(node: number, token: number): void {
    expect([...this.open], `node ${node} opened while others were open`).toEqual([]);
    if (!this.tampered) expect(token, 'fencing token must grow').toBeGreaterThan(this.highestToken);
    this.highestToken = token;
    this.open.add(node);
    this.using.add(node);
    this.handovers += 1;
  }

  closing(node: number, clock: FakeClock): Promise<void> {
    this.using.delete(node);
    return new Promise((resolve) =>
      clock.after(CLOSE_MS, () => {
        this.open.delete(node);
        resolve();
      }),
    );
  }
}

class Cluster {
  readonly clock = new FakeClock();
  readonly redis = new FakeRedis(this.clock);
  readonly links = Array.from({ length: NODES }, () => new FakeRedisLink(this.redis));
  readonly keepers: (LeaseKeeper | undefined)[] = Array.from({ length: NODES }, () => undefined);
  readonly broker = new Broker();
  /** Nodes whose upstream cycle failed: they hand the lease back and claim nothing until demand returns. */
  readonly standingBack = Array.from({ length: NODES }, () => false);
  private generation = 0;

  start(node: number): void {
    const id = `gw${node}-${this.generation++}`;
    const keeper = new LeaseKeeper(this.links[node]!, KEYS, id, { ttlMs: TTL_MS }, this.clock, {
      // The keeper calls back from its own promise chain; a broken invariant is kept and rethrown by
      // passes(), so it fails the command that caused it and fast-check can shrink the sequence.
      onAcquired: ({ token }) =>
        this.recordViolation(() => {
          expect(this.standingBack[node], `node ${node} claimed while standing back after a failed upstream`).toBe(false);
          this.broker.opened(node, token);
        }),
      onLost: () => this.broker.closing(node, this.clock),
      mayClaim: () => !this.standingBack[node],
    });
    this.keepers[node] = keeper;
    keeper.start();
  }

  async stop(node: number): Promise<void> {
    const keeper = this.keepers[node];
    this.keepers[node] = undefined;
    const stopped = keeper?.stop();
    await this.passes(0);
    void stopped;
  }

  private violation: unknown;

  private recordViolation(check: () => void): void {
    try {
      check();
    } catch (err) {
      this.violation ??= err;
    }
  }

  /** Moves the fake clock timer by timer, letting promise callbacks run between two timers. */
  async passes(ms: number): Promise<void> {
    const end = this.clock.now() + ms;
    for (;;) {
      await flushMicrotasks();
      const next = Math.min(...this.clock.pending().filter((d) => d >= 0));
      if (!Number.isFinite(next) || this.clock.now() + next > end) break;
      this.clock.advance(next);
    }
    this.clock.advance(end - this.clock.now());
    await flushMicrotasks();
    if (this.violation !== undefined) throw this.violation;
  }
}

async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

interface Model {
  started: boolean[];
}

type Command = fc.AsyncCommand<Model, Cluster>;

const startCommand = (node: number): Command => ({
  check: (m) => !m.started[node],
  run: async (m, c) => {
    c.start(node);
    m.started[node] = true;
    await c.passes(0);
  },
  toString: () => `start(${node})`,
});

const stopCommand = (node: number): Command => ({
  check: (m) => m.started[node]!,
  run: async (m, c) => {
    await c.stop(node);
    m.started[node] = false;
    expect(c.broker.using.has(node)).toBe(false);
  },
  toString: () => `stop(${node})`,
});

const upstreamFailedCommand = (node: number): Command => ({
  check: (m) => m.started[node]!,
  run: async (_m, c) => {
    c.standingBack[node] = true;
    const given = c.keepers[node]!.relinquish();
    expect(c.broker.using.has(node)).toBe(false);
    await c.passes(0);
    void given;
  },
  toString: () => `upstream-failed(${node})`,
});

const demandCommand = (node: number): Command => ({
  check: () => true,
  run: async (_m, c) => {
    c.standingBack[node] = false;
  },
  toString: () => `demand(${node})`,
});

const passCommand = (ms: number): Command => ({
  check: () => true,
  run: async (_m, c) => c.passes(ms),
  toString: () => `pass(${ms})`,
});

const linkCommand = (node: number, mode: LinkMode): Command => ({
  check: () => true,
  run: async (_m, c) => {
    c.links[node]!.mode = mode;
  },
  toString: () => `link(${node}, ${mode})`,
});

const latencyCommand = (node: number, upMs: number, downMs: number): Command => ({
  check: () => true,
  run: async (_m, c) => {
    c.links[node]!.upMs = upMs;
    c.links[node]!.downMs = downMs;
  },
  toString: () => `latency(${node}, up ${upMs}, down ${downMs})`,
});

/**
 * An attacker with access to Redis (docs/cluster.md#lease-fencing): deletes the lease or the fence
 * counter, or overwrites the lease with a value of its own (garbage, or one that names a gateway), at any
 * time. Data may stop; two upstreams must never be open.
 */
const attackCommand = (attack: 'delete-lease' | 'delete-fence' | 'overwrite' | 'impersonate', ttlMs: number): Command => ({
  check: () => true,
  run: async (_m, c) => {
    c.broker.tampered = true;
    if (attack === 'delete-lease') c.redis.deleteKey(KEYS.lease);
    else if (attack === 'delete-fence') c.redis.deleteKey(KEYS.fence);
    else c.redis.setString(KEYS.lease, attack === 'overwrite' ? 'attacker' : `gw1-0:${c.broker.highestToken + 1}`, ttlMs);
    await c.passes(0);
  },
  toString: () => `attack(${attack}${attack === 'overwrite' || attack === 'impersonate' ? `, ttl ${ttlMs}` : ''})`,
});

const redisRestartCommand: Command = {
  check: () => true,
  run: async (_m, c) => c.redis.loseEverything(),
  toString: () => 'redis-restart',
};

const node = fc.integer({ min: 0, max: NODES - 1 });
const commands = fc.commands(
  [
    node.map(startCommand),
    node.map(stopCommand),
    node.map(upstreamFailedCommand),
    node.map(demandCommand),
    fc.constant(redisRestartCommand),
    fc
      .tuple(fc.constantFrom('delete-lease', 'delete-lease', 'delete-fence', 'overwrite', 'impersonate') as fc.Arbitrary<'delete-lease' | 'delete-fence' | 'overwrite' | 'impersonate'>, fc.integer({ min: 1, max: 2 * TTL_MS }))
      .map(([attack, ttl]) => attackCommand(attack, ttl)),
    fc.integer({ min: 1, max: 2 * TTL_MS }).map(passCommand),
    fc.tuple(node, fc.constantFrom<LinkMode>('up', 'up', 'refuse', 'drop', 'lose-replies')).map(([n, mode]) => linkCommand(n, mode)),
    fc.tuple(node, fc.integer({ min: 0, max: TTL_MS }), fc.integer({ min: 0, max: TTL_MS })).map(([n, up, down]) => latencyCommand(n, up, down)),
  ],
  { size: '+1' },
);

describe('cluster lease (model-based, fake clock and fake Redis)', () => {
  it('never lets two gateways hold the upstream at once, whatever an attacker deletes or overwrites in Redis, and untampered tokens grow', async () => {
    await fc.assert(
      fc.asyncProperty(commands, async (cmds) => {
        const cluster = new Cluster();
        const model: Model = { started: Array.from({ length: NODES }, () => false) };
        await fc.asyncModelRun(() => ({ model, real: cluster }), cmds);
        // Liveness after the storm: with every link healed and demand back, some started gateway ends up holding.
        for (const link of cluster.links) Object.assign(link, { mode: 'up', upMs: 0, downMs: 0 });
        cluster.standingBack.fill(false);
        // An attacker's lease lives up to 2 TTL; then one fence wait and a look.
        await cluster.passes(5 * TTL_MS);
        const anyStarted = model.started.some(Boolean);
        expect(cluster.broker.open.size).toBe(anyStarted ? 1 : 0);
        for (let n = 0; n < NODES; n++) if (model.started[n]) await cluster.stop(n);
      }),
      { numRuns: 300 },
    );
  });

  it('a holder cut off from Redis closes its upstream at TTL/2, before the key can expire for anyone else', async () => {
    const cluster = new Cluster();
    cluster.start(0);
    await cluster.passes(2 * TTL_MS);
    expect(cluster.broker.open).toEqual(new Set([0]));
    const firstToken = cluster.broker.highestToken;
    cluster.links[0]!.mode = 'drop';
    cluster.start(1);
    // Fenced at TTL/2 at the latest; its socket is gone a close handshake later, still before the TTL.
    await cluster.passes(TTL_MS / 2 + CLOSE_MS);
    expect(cluster.broker.open).toEqual(new Set());
    // The key expires a TTL after the last renewal; node 1 then waits out the fence wait (2/3 TTL).
    await cluster.passes(2 * TTL_MS);
    expect(cluster.broker.open).toEqual(new Set([1]));
    expect(cluster.broker.highestToken).toBeGreaterThan(firstToken);
    expect(cluster.keepers[0]!.holds()).toBe(false);
  });

  it('after Redis lost its data nobody claims for one TTL, so the old holder has closed first', async () => {
    const cluster = new Cluster();
    cluster.start(0);
    await cluster.passes(2 * TTL_MS);
    expect(cluster.broker.open).toEqual(new Set([0]));
    const before = cluster.broker.highestToken;
    cluster.start(1);
    cluster.redis.loseEverything();
    await cluster.passes(TTL_MS / 2 + 1);
    expect(cluster.broker.open).toEqual(new Set());
    await cluster.passes(2 * TTL_MS);
    expect(cluster.broker.open.size).toBe(1);
    expect(cluster.broker.highestToken).toBeGreaterThan(before);
  });

  it('a holder whose renewals keep working keeps the lease across many TTLs', async () => {
    const cluster = new Cluster();
    cluster.start(0);
    cluster.start(1);
    await cluster.passes(11 * TTL_MS);
    expect(cluster.broker.handovers).toBe(1);
    expect(cluster.keepers.find((k) => k?.holds())!.renewals.ok).toBeGreaterThanOrEqual(25);
  });
});
