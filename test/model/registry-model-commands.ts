import fc from 'fast-check';
import type { UserRecord } from '../../gateway/index.ts';
import {
  heldByCode,
  upstreamKeyOf,
  checkFreshAfterLogout,
  checkInvariants,
  checkLoggedOut,
  InvariantError,
  MODEL_SYMBOLS,
  topicOf,
  type ClientModel,
  type Model,
  type ModelSymbol,
  type OpenAlgoMode,
} from './registry-model.ts';
import { MODEL_USERS, ModelClient, type ModelSystem } from './registry-model-system.ts';

/**
 * The commands of the registry properties, as fast-check's model-based testing teaches them: each a small
 * object whose `check` says whether it may run on the model, whose `run` acts on the real system, updates
 * the model and checks every invariant, and whose `toString` makes a failing sequence readable.
 */

type Cmd = fc.AsyncCommand<Model, ModelSystem>;
type Json = Record<string, any>;

/** At most this many clients are connected at once. */
export const MAX_CLIENTS = 4;
const WRONG_KEY = 'pk-nobody-0000';
/** Gateway time an authenticate may take: a whole cycle of capped backoffs, with room to spare. */
const AUTH_WITHIN_MS = 10 * 60_000;

const userName = (user: UserRecord | undefined) => user?.userId ?? 'wrong-key';
const isAuthReply = (m: Json) => m.type === 'auth' || (m.status === 'error' && (m.code === 'AUTHENTICATION_ERROR' || m.code === 'BROKER_ERROR'));

/**
 * Whether the broker refused this user's current connect cycle on the test's orders: a singleton adapter
 * gives up only after maxReconnect refusals in a row since its last accepted connection, and I2 rules out
 * refusals nobody injected.
 */
function cycleRefusedByFault(system: ModelSystem, user: UserRecord): boolean {
  const events = system.events();
  let i = events.length - 1;
  while (i >= 0 && !(events[i]!.type === 'accepted' && events[i]!.clientCode === user.clientCode)) i--;
  return events.slice(i + 1).some((e) => e.type === 'rejected' && e.reason === 'reject-next fault');
}

let barrierId = 0;

/** Waits until every frame the gateway sent this client so far has arrived (a ping's pong comes after them). */
async function drainReplies(system: ModelSystem, id: number): Promise<void> {
  const client = system.clients.get(id)!;
  const token = ++barrierId;
  const from = client.received.length;
  client.send({ action: 'ping', timestamp: token });
  await system.eventually(() => client.find(from, (m) => m.type === 'pong' && m.client_timestamp === token), `the pong of c${id}`);
}

/** Sends authenticate on each client (in the order the scheduler picks, when there is one) and folds the replies into the model. */
export async function authenticate(model: Model, system: ModelSystem, ids: number[], user: UserRecord | undefined): Promise<void> {
  const sent = new Map<number, number>();
  // A BROKER_ERROR broadcast while time passed must not be read as the reply to this authenticate.
  for (const id of ids) await drainReplies(system, id);
  if (user) model.authRequests.set(user.userId, (model.authRequests.get(user.userId) ?? 0) + ids.length);
  await system.drive(
    Promise.all(
      ids.map(async (id) => {
        await system.gate(`authenticate c${id}`);
        const client = system.clients.get(id)!;
        sent.set(id, client.received.length);
        client.send({ action: 'authenticate', api_key: user?.apiKey ?? WRONG_KEY });
      }),
    ),
  );
  for (const id of ids) {
    const client = system.clients.get(id)!;
    const reply = await system.time.pumpUntil(() => client.find(sent.get(id)!, isAuthReply), `the auth reply of c${id}`, AUTH_WITHIN_MS);
    const state = model.clients.get(id)!;
    if (!user) {
      if (reply.code !== 'AUTHENTICATION_ERROR') throw new InvariantError(`a wrong API key got ${JSON.stringify(reply)}`);
      continue;
    }
    if (reply.type === 'auth' && reply.status === 'success' && reply.user_id === user.userId) {
      // The singleton's auth reply does not wait for the upstream: broker_status says how the cycle ended.
      // Legacy registries answer only once their adapter is open, and do not report later changes.
      const settled = system.config.registry !== 'singleton' ? { state: 'open' } : await system.time.pumpUntil(
        () => client.find(sent.get(id)!, (m) => m.type === 'broker_status' && (m.state === 'open' || m.state === 'failed')),
        `the upstream of c${id} to open or fail`,
        AUTH_WITHIN_MS,
      );
      if (settled.state === 'failed' && !cycleRefusedByFault(system, user)) {
        throw new InvariantError(`the upstream of ${user.userId} failed with no fault to explain it: ${JSON.stringify(settled)}`);
      }
      // A valid key authenticates whatever the upstream does; a failed cycle keeps the client's subscriptions for the retry.
      if (state.user !== user) state.topics.clear();
      state.user = user;
      continue;
    }
    if (reply.code === 'BROKER_ERROR' && cycleRefusedByFault(system, user)) {
      if (state.user !== user) {
        state.user = undefined;
        state.topics.clear();
      }
      continue;
    }
    throw new InvariantError(`authenticate as ${user.userId} got ${JSON.stringify(reply)} with no fault to explain it`);
  }
  if (user && ids.some((id) => model.clients.get(id)!.user === user)) checkFreshAfterLogout(model, system, user);
}

/**
 * Commands name clients by a number `pick`; at run time it selects among the clients the model says are
 * eligible (`pick` modulo their count), so few generated commands are wasted on absent clients. The
 * chosen client is remembered for toString.
 */
function choose(m: Readonly<Model>, pick: number, eligible: (c: ClientModel) => boolean): number | undefined {
  const ids = [...m.clients].filter(([, c]) => eligible(c)).map(([id]) => id);
  return ids.length === 0 ? undefined : ids[pick % ids.length];
}
const connected = () => true;
const authenticated = (c: ClientModel) => c.user !== undefined;
const label = (id: number | undefined, pick: number) => (id === undefined ? `#${pick}` : `c${id}`);

/** Clients are named c0, c1, … in the order they connect, so `connect()` needs no argument. */
export class Connect implements Cmd {
  check = (m: Readonly<Model>) => m.clients.size < MAX_CLIENTS;
  async run(m: Model, r: ModelSystem): Promise<void> {
    const id = m.nextClientId++;
    r.clients.set(id, await ModelClient.open(r.gateway.url));
    m.clients.set(id, { user: undefined, topics: new Set() });
    await checkInvariants(m, r);
  }
  toString = () => 'connect()';
}

export class Authenticate implements Cmd {
  private id: number | undefined;
  constructor(
    readonly pick: number,
    readonly user: UserRecord | undefined,
  ) {}
  check = (m: Readonly<Model>) => m.clients.size > 0;
  async run(m: Model, r: ModelSystem): Promise<void> {
    this.id = choose(m, this.pick, connected)!;
    await authenticate(m, r, [this.id], this.user);
    await checkInvariants(m, r);
  }
  toString = () => `authenticate(${label(this.id, this.pick)}, ${userName(this.user)})`;
}

/** Several clients of one user authenticating at once: the race that broke OpenAlgo (no single-flight). */
export class AuthenticateTogether implements Cmd {
  private ids: number[] = [];
  constructor(
    readonly count: number,
    readonly user: UserRecord,
  ) {}
  check = (m: Readonly<Model>) => m.clients.size >= 2;
  async run(m: Model, r: ModelSystem): Promise<void> {
    this.ids = [...m.clients.keys()].slice(-this.count);
    await authenticate(m, r, this.ids, this.user);
    await checkInvariants(m, r);
  }
  toString = () => `authenticateTogether([${this.ids.length > 0 ? this.ids.map((id) => `c${id}`).join(',') : `last ${this.count}`}], ${this.user.userId})`;
}

function subscribeFrame(action: 'subscribe' | 'unsubscribe', symbols: readonly ModelSymbol[], mode: OpenAlgoMode): object {
  if (symbols.length === 1) return { action, symbol: symbols[0]!.symbol, exchange: symbols[0]!.exchange, mode };
  return { action, symbols: symbols.map(({ symbol, exchange }) => ({ symbol, exchange })), mode };
}

async function request(system: ModelSystem, id: number, frame: object, type: string): Promise<Json> {
  const client = system.clients.get(id)!;
  const from = client.received.length;
  client.send(frame);
  return system.eventually(() => client.find(from, (msg) => msg.type === type || msg.status === 'error'), `the ${type} reply of c${id}`);
}

export class Subscribe implements Cmd {
  private id: number | undefined;
  constructor(
    readonly pick: number,
    readonly symbols: ModelSymbol[],
    readonly mode: OpenAlgoMode,
  ) {}
  check = (m: Readonly<Model>) => choose(m, this.pick, authenticated) !== undefined;
  async run(m: Model, r: ModelSystem): Promise<void> {
    this.id = choose(m, this.pick, authenticated)!;
    const reply = await request(r, this.id, subscribeFrame('subscribe', this.symbols, this.mode), 'subscribe');
    const results = (reply.subscriptions ?? []) as Json[];
    const state = m.clients.get(this.id)!;
    // Keys the user's pool carries; a new one past the budget must be refused, a carried one never.
    const carried = heldByCode(m).get(state.user!.clientCode)!;
    this.symbols.forEach((s, i) => {
      const topic = s.token === undefined ? undefined : topicOf(s, this.mode);
      const key = topic && upstreamKeyOf(topic);
      const overBudget = key !== undefined && !carried.has(key) && m.tokenBudget !== undefined && carried.size >= m.tokenBudget;
      const expected = topic === undefined || overBudget ? ['error'] : ['success', 'pending'];
      if (!expected.includes(results[i]?.status)) {
        throw new InvariantError(`subscribe ${s.symbol} answered ${JSON.stringify(results[i] ?? reply)}, expected ${expected.join(' or ')} (user holds ${carried.size} keys, budget ${m.tokenBudget ?? 'none'})`);
      }
      if (topic === undefined || overBudget) return;
      carried.add(key!);
      state.topics.add(topic);
    });
    await checkInvariants(m, r);
  }
  toString = () => `subscribe(${label(this.id, this.pick)}, [${this.symbols.map((s) => s.symbol).join(',')}], mode ${this.mode})`;
}

export class Unsubscribe implements Cmd {
  private id: number | undefined;
  constructor(
    readonly pick: number,
    readonly symbols: ModelSymbol[],
    readonly mode: OpenAlgoMode,
  ) {}
  check = (m: Readonly<Model>) => choose(m, this.pick, authenticated) !== undefined;
  async run(m: Model, r: ModelSystem): Promise<void> {
    this.id = choose(m, this.pick, authenticated)!;
    await request(r, this.id, subscribeFrame('unsubscribe', this.symbols, this.mode), 'unsubscribe');
    const state = m.clients.get(this.id)!;
    for (const s of this.symbols) state.topics.delete(topicOf(s, this.mode));
    await checkInvariants(m, r);
  }
  toString = () => `unsubscribe(${label(this.id, this.pick)}, [${this.symbols.map((s) => s.symbol).join(',')}], mode ${this.mode})`;
}

export class UnsubscribeAll implements Cmd {
  private id: number | undefined;
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>) => choose(m, this.pick, authenticated) !== undefined;
  async run(m: Model, r: ModelSystem): Promise<void> {
    this.id = choose(m, this.pick, authenticated)!;
    await request(r, this.id, { action: 'unsubscribe_all' }, 'unsubscribe');
    m.clients.get(this.id)!.topics.clear();
    await checkInvariants(m, r);
  }
  toString = () => `unsubscribeAll(${label(this.id, this.pick)})`;
}

export class Disconnect implements Cmd {
  private id: number | undefined;
  constructor(
    readonly pick: number,
    readonly abrupt: boolean,
  ) {}
  check = (m: Readonly<Model>) => m.clients.size > 0;
  async run(m: Model, r: ModelSystem): Promise<void> {
    this.id = choose(m, this.pick, connected)!;
    const client = r.clients.get(this.id)!;
    const seen = r.logs.count('client.disconnect');
    if (this.abrupt) client.ws.terminate();
    else client.ws.close();
    r.clients.delete(this.id);
    m.clients.delete(this.id);
    await r.eventually(() => r.logs.count('client.disconnect') > seen, 'the gateway to see the client leave');
    await checkInvariants(m, r);
  }
  toString = () => `disconnect(${label(this.id, this.pick)}, ${this.abrupt ? 'abrupt' : 'clean'})`;
}

export class Logout implements Cmd {
  constructor(readonly user: UserRecord) {}
  check = () => true;
  async run(m: Model, r: ModelSystem): Promise<void> {
    await r.gateway.logout(this.user.userId);
    for (const [id, state] of [...m.clients]) {
      if (state.user !== this.user) continue;
      const client = r.clients.get(id)!;
      await r.eventually(() => client.closed, `the gateway to close c${id} on logout`);
      r.clients.delete(id);
      m.clients.delete(id);
    }
    await checkLoggedOut(r, this.user);
    m.loggedOut.set(this.user.userId, r.events().length);
    await checkInvariants(m, r);
  }
  toString = () => `logout(${this.user.userId})`;
}

export class BrokerFault implements Cmd {
  constructor(
    readonly fault: { type: 'drop-all' } | { type: 'reject-next'; count: number } | { type: 'close-after'; messages: number },
  ) {}
  check = () => true;
  async run(m: Model, r: ModelSystem): Promise<void> {
    r.broker.inject(this.fault.type === 'reject-next' ? { ...this.fault, status: 429 } : this.fault);
    await checkInvariants(m, r);
  }
  toString = () => `fault(${Object.values(this.fault).join(' ')})`;
}

/** The broker stops answering pings and sending ticks while `gatewayMs` of gateway time pass. */
export class Stall implements Cmd {
  constructor(readonly gatewayMs: number) {}
  check = () => true;
  async run(m: Model, r: ModelSystem): Promise<void> {
    // Fast runs compress gateway time, so the stall (a wall-clock fault) only has to outlast the compression.
    const wallMs = r.config.speed === 'fast' ? 400 : Math.max(50, Math.round(this.gatewayMs * 0.02));
    r.recorder.noteStall(wallMs);
    r.broker.inject({ type: 'stall', ms: wallMs });
    await r.time.passes(this.gatewayMs);
    await checkInvariants(m, r);
  }
  toString = () => `stall(${this.gatewayMs} ms)`;
}

export class TimePasses implements Cmd {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(m: Model, r: ModelSystem): Promise<void> {
    await r.time.passes(this.ms);
    await checkInvariants(m, r);
  }
  toString = () => `time(+${this.ms} ms)`;
}

const pick = fc.nat(99);
const validUser = fc.constantFrom(...MODEL_USERS);
const anyUser = fc.oneof({ weight: 6, arbitrary: validUser }, { weight: 1, arbitrary: fc.constant(undefined) });
const mode = fc.constantFrom<OpenAlgoMode>(1, 2, 3);
const batch = fc.uniqueArray(fc.constantFrom(...MODEL_SYMBOLS), { minLength: 1, maxLength: 4, selector: (s) => s.symbol });

/** Repeats an arbitrary: fc.commands draws uniformly from its list, so repetition is weight. */
const weighted = <T,>(times: number, arb: fc.Arbitrary<T>): fc.Arbitrary<T>[] => Array.from({ length: times }, () => arb);

/** Every command, weighted towards the traffic that caused the incident: churn, bursts, faults. */
export const registryCommands: fc.Arbitrary<Cmd>[] = [
  ...weighted(4, fc.constant(null).map(() => new Connect())),
  ...weighted(4, fc.tuple(pick, anyUser).map(([s, u]) => new Authenticate(s, u))),
  ...weighted(2, fc.tuple(fc.integer({ min: 2, max: MAX_CLIENTS }), validUser).map(([n, u]) => new AuthenticateTogether(n, u))),
  ...weighted(4, fc.tuple(pick, batch, mode).map(([s, b, md]) => new Subscribe(s, b, md))),
  ...weighted(2, fc.tuple(pick, batch, mode).map(([s, b, md]) => new Unsubscribe(s, b, md))),
  pick.map((p) => new UnsubscribeAll(p)),
  ...weighted(2, fc.tuple(pick, fc.boolean()).map(([s, abrupt]) => new Disconnect(s, abrupt))),
  validUser.map((u) => new Logout(u)),
  fc.constant(new BrokerFault({ type: 'drop-all' })),
  fc.integer({ min: 1, max: 7 }).map((count) => new BrokerFault({ type: 'reject-next', count })),
  fc.integer({ min: 1, max: 20 }).map((messages) => new BrokerFault({ type: 'close-after', messages })),
  fc.constantFrom(15_000, 40_000).map((ms) => new Stall(ms)),
  ...weighted(2, fc.constantFrom(500, 2_000, 10_000, 30_000, 90_000).map((ms) => new TimePasses(ms))),
];
