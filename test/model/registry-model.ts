import { readFileSync } from 'node:fs';
import type { UserRecord } from '../../gateway/index.ts';
import { IO_DEADLINE_MS } from './registry-model-time.ts';
import { MODEL_USERS, type ModelSystem } from './registry-model-system.ts';

/**
 * The model of the registry properties: a simplification that counts what must be true, not a second
 * registry. It knows which clients are connected, as whom they authenticated and which (symbol, mode)
 * each holds; everything else is read from the mock broker and checked against the invariants below.
 */

/** A symbol a client may ask for, with the AngelOne token the bundled instrument master gives it. */
export interface ModelSymbol {
  symbol: string;
  exchange: string;
  /** Undefined for a symbol the master does not know (the gateway must answer SYMBOL_NOT_FOUND). */
  token: string | undefined;
}

const NSE_CM = 1;

/** A few equities and an index from gateway/data/instruments.json (few, so clients often share them), plus one unknown. */
export const MODEL_SYMBOLS: readonly ModelSymbol[] = (() => {
  const rows = JSON.parse(readFileSync(new URL('../../gateway/data/instruments.json', import.meta.url), 'utf8')) as Record<string, string>[];
  const equities = rows.filter((r) => r.exch_seg === 'NSE' && r.symbol!.endsWith('-EQ')).slice(0, 5);
  const nifty = rows.find((r) => r.name === 'NIFTY')!;
  return [
    ...equities.map((r) => ({ symbol: r.name!, exchange: 'NSE', token: r.token })),
    { symbol: 'NIFTY', exchange: 'NSE_INDEX', token: nifty.token },
    { symbol: 'NOSUCH', exchange: 'NSE', token: undefined },
  ];
})();

/**
 * OpenAlgo modes 1 LTP, 2 Quote, 3 Depth are served from SmartAPI modes 1 LTP, 2 Quote, 3 SnapQuote
 * (docs/architecture.md#openalgo-client-protocol).
 */
export type OpenAlgoMode = 1 | 2 | 3;

export interface ClientModel {
  user: UserRecord | undefined;
  /** `symbol|exchange|mode` of every subscription the client holds. */
  topics: Set<string>;
}

export interface Model {
  clients: Map<number, ClientModel>;
  nextClientId: number;
  /** Valid authenticate requests per user: each may start one connect cycle. */
  authRequests: Map<string, number>;
  /** Users logged out since their last successful authenticate, with the broker timeline length then. */
  loggedOut: Map<string, number>;
  maxReconnect: number;
  /** Upstream connections one client code may hold: 1, or the pool's `--max-upstream` in pool runs. */
  maxConnections: number;
  /** Distinct upstream keys one user may hold (`maxUpstream` × `maxTokens`); undefined when the budget is never reached. */
  tokenBudget: number | undefined;
}

/** Pool runs lower the tokens per connection so the model's few symbols fill several connections. */
export interface PoolLimits {
  maxTokens: number;
  maxUpstream: number;
}

export function initialModel(maxReconnect: number, pool?: PoolLimits): Model {
  return {
    clients: new Map(),
    nextClientId: 0,
    authRequests: new Map(),
    loggedOut: new Map(),
    maxReconnect,
    maxConnections: pool?.maxUpstream ?? 1,
    tokenBudget: pool && pool.maxUpstream * pool.maxTokens,
  };
}

export const topicOf = (s: ModelSymbol, mode: OpenAlgoMode): string => `${s.symbol}|${s.exchange}|${mode}`;

/** The upstream key a held topic needs: (exchange type, token, SmartAPI mode). */
export function upstreamKeyOf(topic: string): string {
  const [symbol, exchange, mode] = topic.split('|');
  const s = MODEL_SYMBOLS.find((m) => m.symbol === symbol && m.exchange === exchange)!;
  return `${NSE_CM}|${s.token}|${mode}`;
}

export const userOfCode = (clientCode: string): UserRecord => MODEL_USERS.find((u) => u.clientCode === clientCode)!;

/**
 * A broken invariant: the message names it (I1…I6, as in
 * docs/testing.md#model-based-property-tests-of-the-registry) and the evidence.
 */
export class InvariantError extends Error {}

function fail(invariant: string, detail: string): never {
  throw new InvariantError(`${invariant} broken: ${detail}`);
}

/**
 * The invariants that hold at every instant, judged from the broker's whole timeline:
 * I1 at most one adapter per (user, broker) and at most one open upstream connection per client code (at
 * most the pool's `--max-upstream` in pool runs);
 * I2 no 429 the test did not inject; I6 connection attempts other than 429s within the reconnect budget.
 */
export function checkSafety(model: Model, system: ModelSystem): void {
  const live = new Map<string, number>();
  for (const record of system.logs.records()) {
    const user = record.user as string | undefined;
    if (!user) continue;
    if (record.event === 'adapter.create') live.set(user, (live.get(user) ?? 0) + 1);
    if (record.event === 'adapter.remove') live.set(user, (live.get(user) ?? 0) - 1);
    if ((live.get(user) ?? 0) > 1) fail('I1 (one adapter per user)', `user ${user} had ${live.get(user)} adapters at once in the gateway log`);
  }
  const events = system.events();
  const attempts = new Map<string, number>();
  const cycles = new Map<string, number>();
  for (const e of events) {
    if (e.type === 'accepted' && e.count > model.maxConnections) {
      fail('I1 (upstream connections per client code within the budget)', `the broker held ${e.count} connections of ${e.clientCode} (connection ${e.connectionId}), budget ${model.maxConnections}`);
    }
    if (e.type === 'rejected' && e.status === 429 && e.reason !== 'reject-next fault') {
      fail('I2 (no 429 the test did not inject)', `the broker answered ${e.clientCode}'s handshake with 429 (${e.reason}), holding ${e.count}`);
    }
    // A 429 does not use up a cycle (the slot frees by itself), so only other attempts count against it.
    const refused429 = e.type === 'rejected' && e.status === 429;
    if (e.type !== 'closed' && !refused429) attempts.set(e.clientCode, (attempts.get(e.clientCode) ?? 0) + 1);
    else if (e.type === 'closed') cycles.set(e.clientCode, (cycles.get(e.clientCode) ?? 0) + 1);
  }
  for (const user of MODEL_USERS) {
    const made = attempts.get(user.clientCode) ?? 0;
    // Each connect cycle (an authenticate, or the loss of an open connection) may dial maxReconnect times,
    // on each of the pool's connections.
    const budget = model.maxReconnect * model.maxConnections * ((model.authRequests.get(user.userId) ?? 0) + (cycles.get(user.clientCode) ?? 0));
    if (made > budget) fail('I6 (reconnect budget)', `${made} connection attempts for ${user.clientCode}, budget ${budget}`);
  }
}

/** Held upstream keys per client code, from the model's clients. */
export function heldByCode(model: Model): Map<string, Set<string>> {
  const held = new Map<string, Set<string>>(MODEL_USERS.map((u) => [u.clientCode, new Set<string>()]));
  for (const client of model.clients.values()) {
    if (!client.user) continue;
    for (const topic of client.topics) held.get(client.user.clientCode)!.add(upstreamKeyOf(topic));
  }
  return held;
}

/**
 * I3: every held (token, mode) is subscribed upstream exactly once, and nothing no client holds is.
 * Returns what is wrong, or undefined. `requireOpen` (at quiescence) also demands an open connection for
 * every client code whose clients hold something.
 */
export function subscriptionMismatch(model: Model, system: ModelSystem, requireOpen: boolean): string | undefined {
  const connections = system.broker.connectionSubscriptions();
  for (const [code, held] of heldByCode(model)) {
    // Between faults a pool connection may be refused or reconnecting while its siblings are open: its keys
    // are then nowhere. Completeness waits until the pool says every connection it holds is open.
    const pool = system.gateway.health().adapters.find((a) => a.user === userOfCode(code).userId)?.pool;
    const poolSettling = pool !== undefined && (pool.open < pool.tokens.length || pool.waiting > 0);
    const mine = connections.filter((c) => c.clientCode === code);
    const seen = new Map<string, number>();
    for (const c of mine) {
      for (const s of c.subscriptions) {
        const key = `${s.exchangeType}|${s.token}|${s.mode}`;
        if (seen.has(key)) return `${code}: ${key} subscribed on connections ${seen.get(key)} and ${c.connectionId}`;
        seen.set(key, c.connectionId);
        if (!held.has(key)) return `${code}: ${key} subscribed upstream on connection ${c.connectionId} but no client holds it`;
      }
    }
    if ((mine.length === 0 || poolSettling) && !(requireOpen && held.size > 0)) continue;
    for (const key of held) if (!seen.has(key)) return `${code}: clients hold ${key} but no upstream connection is subscribed to it`;
  }
  return undefined;
}

/** Checks every invariant after a command: safety at once, subscriptions once the wire has caught up. */
export async function checkInvariants(model: Model, system: ModelSystem): Promise<void> {
  await system.settle();
  checkSafety(model, system);
  let mismatch: string | undefined;
  const converged = await system.eventually(() => (mismatch = subscriptionMismatch(model, system, false)) === undefined, 'I3', IO_DEADLINE_MS / 3).catch(() => false);
  if (!converged) fail('I3 (each held subscription upstream exactly once)', mismatch ?? 'unknown');
}

/** I5, first half: right after logout the broker holds no connection of that user's client code. */
export async function checkLoggedOut(system: ModelSystem, user: UserRecord): Promise<void> {
  await system.settle();
  const open = system.broker.stats().current[user.clientCode] ?? 0;
  if (open > 0) fail('I5 (logout closes the upstream)', `after logging out ${user.userId} the broker still holds ${open} connection(s) of ${user.clientCode}`);
}

/** I5, second half: the first successful authenticate after a logout opened exactly one connection. */
export function checkFreshAfterLogout(model: Model, system: ModelSystem, user: UserRecord): void {
  const since = model.loggedOut.get(user.userId);
  if (since === undefined) return;
  model.loggedOut.delete(user.userId);
  const accepted = system.events().slice(since).filter((e) => e.type === 'accepted' && e.clientCode === user.clientCode).length;
  if (accepted !== 1) fail('I5 (one fresh connection after logout)', `the first authenticate of ${user.userId} after logout opened ${accepted} connections`);
}
