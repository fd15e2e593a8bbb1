import type { Logger } from 'pino';
import { seedFor, type CreateRandom, type RandomSource } from '../contract/seeded-random.ts';
import type { ConnectionShaping } from './broker-connection.ts';
import type { BrokerRecord } from './broker-record.ts';
import { FAULT_SPECS } from './faults.ts';
import type { ActiveFault, Endpoint, Fault, FaultEndReason } from './types.ts';

/** What a fault can hit: an open connection (the object keys its seeded draw) or a handshake. */
export interface FaultTarget {
  endpoint: Endpoint;
  clientCode: string;
}

/** What the faults do to one handshake: cut it unanswered, or refuse it with a status. */
export type HandshakeFault =
  | { action: 'cut'; reason: string }
  | { action: 'refuse'; status: 401 | 429; reason: string; retryAfterSeconds?: number };

/** An id given twice while the first is still active; the admin API answers 409. */
export class FaultIdInUseError extends Error {
  readonly code = 'FAULT_ID_IN_USE';
}

/** One fault from its injection to its end, with the state it keeps while it acts. */
interface Running {
  id: string;
  fault: Fault;
  startedAt: number;
  endsAt?: number;
  random: RandomSource;
  /** Whether each connection is hit, drawn once per connection so its treatment never flickers. */
  hits: WeakMap<object, boolean>;
  timers: NodeJS.Timeout[];
  /** reject-next: handshakes still to refuse. */
  remaining: number;
  /** handshake-quota: the current window of each client code. */
  windows: Map<string, { openedAt: number; used: number }>;
  /** outage: whether its window is open. */
  down: boolean;
}

export interface ActiveFaultsParts {
  seed: number;
  createRandom: CreateRandom;
  record: BrokerRecord;
  log: Logger;
  /** Stamps startedAt/endsAt as the record does. */
  clock: () => number;
  /** Told whenever what the faults do to open connections may have changed. */
  changed: () => void;
  /** Told when an outage's window opens, with the test of which connections it hits. */
  outageOpened: (hits: (target: FaultTarget) => boolean) => void;
}

/** Faults that replace a pending one of their type rather than adding to it. */
const REPLACING = new Set<Fault['type']>(['reject-next', 'stall']);

function inScope(fault: Fault, target: FaultTarget): boolean {
  // expire-token's clientCode names the account it expires, not a scope.
  const scoped = fault.type !== 'expire-token' && fault.clientCode !== undefined;
  return (!scoped || fault.clientCode === target.clientCode) && (fault.endpoint === undefined || fault.endpoint === target.endpoint);
}

/** When a lasting fault ends by itself: its ttlMs, or its own duration if shorter. */
function lifetimeOf(fault: Fault): number | undefined {
  const own = fault.type === 'stall' ? fault.ms : fault.type === 'outage' ? fault.afterMs + fault.durationMs : undefined;
  if (own === undefined) return fault.ttlMs;
  return fault.ttlMs === undefined ? own : Math.min(own, fault.ttlMs);
}

/**
 * The faults acting now, and the expired JWTs. Each fault gets an id, its own random source (from the
 * broker's seed and the fault's number, so the same seed and the same faults give the same choices),
 * a start and an end in the record, and a timer for its ttlMs. Open connections ask `shapingFor`,
 * handshakes ask `handshake`; with no fault active both answer at once.
 */
export class ActiveFaults {
  private readonly running = new Map<string, Running>();
  private readonly expiredJwts = new Set<string>();
  private injected = 0;
  private seed: number;
  /** Monotonic: quota windows must not move with the injected clock. */
  private readonly now = () => performance.now();

  constructor(private readonly parts: ActiveFaultsParts) {
    this.seed = parts.seed;
  }

  /**
   * Starts a fault: records it, arms its timers, and returns the handle injection uses to decide which
   * targets it hits. Faults that act once are ended by `settle` right after.
   */
  start(fault: Fault): { id: string; hits: (target: FaultTarget, key?: object) => boolean } {
    const id = fault.id ?? this.freeId();
    if (this.running.has(id)) throw new FaultIdInUseError(`fault id ${JSON.stringify(id)} is already active; DELETE /__admin/faults/${id} first or pick another`);
    if (REPLACING.has(fault.type)) {
      for (const other of [...this.running.values()]) if (other.fault.type === fault.type) this.end(other.id, 'replaced');
    }
    const run: Running = {
      id,
      fault,
      startedAt: this.parts.clock(),
      random: this.parts.createRandom(seedFor(this.seed, `fault:${this.injected++}`)),
      hits: new WeakMap(),
      timers: [],
      remaining: fault.type === 'reject-next' ? fault.count : 0,
      windows: new Map(),
      down: false,
    };
    this.parts.record.faultStarted(id, fault);
    if (FAULT_SPECS[fault.type].lasting) this.arm(run);
    return { id, hits: (target, key) => this.hits(run, target, key) };
  }

  /** Ends a fault that acted once. */
  settle(id: string, fault: Fault): void {
    this.parts.record.faultEnded(id, fault.type, 'applied');
  }

  /** Ends an active fault by id; false when none has it. */
  remove(id: string): boolean {
    if (!this.running.has(id)) return false;
    this.end(id, 'deleted');
    return true;
  }

  /** Ends every active fault (expired JWTs stay); says how many. */
  removeAll(): number {
    const ids = [...this.running.keys()];
    for (const id of ids) this.end(id, 'deleted');
    return ids.length;
  }

  list(): ActiveFault[] {
    return [...this.running.values()].map(({ id, fault, startedAt, endsAt }) => ({ id, fault, startedAt, ...(endsAt === undefined ? {} : { endsAt }) }));
  }

  /** Ends every fault and forgets expired JWTs; a plan's seed, when given, seeds the faults from here on. */
  clear(reason: FaultEndReason, seed?: number): void {
    for (const id of [...this.running.keys()]) this.end(id, reason);
    this.expiredJwts.clear();
    this.injected = 0;
    if (seed !== undefined) this.seed = seed;
  }

  /** What the faults do to an open connection now; undefined when nothing touches it. */
  shapingFor(connection: FaultTarget): ConnectionShaping | undefined {
    if (this.running.size === 0) return undefined;
    let shaping: ConnectionShaping | undefined;
    const shaped = (): ConnectionShaping => (shaping ??= { silent: false, halfOpen: false });
    for (const run of this.running.values()) {
      const { fault } = run;
      if (!this.hits(run, connection, connection)) continue;
      if (fault.type === 'stall') shaped().silent = true;
      else if (fault.type === 'half-open') Object.assign(shaped(), { silent: true, halfOpen: true });
      else if (fault.type === 'latency' || fault.type === 'bandwidth' || fault.type === 'fragment') {
        const bytes = (shaped().bytes ??= { latencyMs: 0, jitterMs: 0, random: run.random });
        if (fault.type === 'latency') {
          bytes.latencyMs += fault.ms;
          bytes.jitterMs += fault.jitterMs ?? 0;
          bytes.random = run.random;
        } else if (fault.type === 'bandwidth') bytes.bytesPerSecond = Math.min(bytes.bytesPerSecond ?? Infinity, fault.bytesPerSecond);
        else bytes.fragmentBytes = Math.min(bytes.fragmentBytes ?? Infinity, fault.bytes);
      }
    }
    return shaping;
  }

  /** How long a closing connection's slot stays taken by slow-close faults (0: none). */
  slowCloseMs(connection: FaultTarget): number {
    let ms = 0;
    for (const run of this.running.values()) {
      if (run.fault.type === 'slow-close' && this.hits(run, connection, connection)) ms = Math.max(ms, run.fault.ms);
    }
    return ms;
  }

  /** What the faults do to a handshake: an open outage cuts it, reject-next and handshake-quota refuse it. */
  handshake(target: FaultTarget): HandshakeFault | undefined {
    if (this.running.size === 0) return undefined;
    for (const run of this.running.values()) {
      if (run.fault.type === 'outage' && run.down && this.hits(run, target)) return { action: 'cut', reason: 'outage fault' };
    }
    for (const run of this.running.values()) {
      const { fault } = run;
      if (fault.type !== 'reject-next' || !this.hits(run, target)) continue;
      run.remaining -= 1;
      if (run.remaining === 0) this.end(run.id, 'spent');
      return { action: 'refuse', status: fault.status ?? 429, reason: 'reject-next fault' };
    }
    for (const run of this.running.values()) {
      const { fault } = run;
      if (fault.type !== 'handshake-quota' || !inScope(fault, target)) continue;
      const now = this.now();
      let window = run.windows.get(target.clientCode);
      if (!window || now - window.openedAt >= fault.windowMs) run.windows.set(target.clientCode, (window = { openedAt: now, used: 0 }));
      if (window.used < fault.perWindow) window.used += 1;
      else if (this.hits(run, target)) return { action: 'refuse', status: 429, reason: 'handshake-quota fault', retryAfterSeconds: fault.retryAfterSeconds };
    }
    return undefined;
  }

  /** Every later handshake presenting one of these JWTs is refused until `clearExpiredTokens`. */
  expireTokens(jwts: Iterable<string>): number {
    let added = 0;
    for (const jwt of jwts) {
      if (!this.expiredJwts.has(jwt)) added += 1;
      this.expiredJwts.add(jwt);
    }
    return added;
  }

  isExpired(jwt: string): boolean {
    return this.expiredJwts.size > 0 && this.expiredJwts.has(jwt);
  }

  clearExpiredTokens(): void {
    this.expiredJwts.clear();
  }

  private freeId(): string {
    let n = this.injected + 1;
    while (this.running.has(String(n))) n += 1;
    return String(n);
  }

  /** A target in scope is hit with the fault's probability; a connection's draw is kept for its life. */
  private hits(run: Running, target: FaultTarget, key?: object): boolean {
    if (!inScope(run.fault, target)) return false;
    const { probability } = run.fault;
    if (probability === undefined || probability >= 1) return true;
    if (key === undefined) return run.random() < probability;
    let hit = run.hits.get(key);
    if (hit === undefined) run.hits.set(key, (hit = run.random() < probability));
    return hit;
  }

  private arm(run: Running): void {
    const { fault } = run;
    this.running.set(run.id, run);
    const lifetime = lifetimeOf(fault);
    if (lifetime !== undefined) {
      run.endsAt = run.startedAt + lifetime;
      run.timers.push(this.timer(() => this.end(run.id, 'expired'), lifetime));
    }
    if (fault.type === 'outage') {
      const begin = () => {
        run.down = true;
        this.parts.log.info({ event: 'fault.outage.began', faultId: run.id }, `Outage ${run.id} began: connections and handshakes are cut`);
        this.parts.outageOpened((target) => this.hits(run, target, target));
      };
      if (fault.afterMs === 0) begin();
      else run.timers.push(this.timer(begin, fault.afterMs));
    }
    this.parts.changed();
  }

  private timer(fn: () => void, ms: number): NodeJS.Timeout {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return timer;
  }

  private end(id: string, reason: FaultEndReason): void {
    const run = this.running.get(id);
    if (!run) return;
    this.running.delete(id);
    run.timers.forEach(clearTimeout);
    this.parts.record.faultEnded(id, run.fault.type, reason);
    this.parts.log.info({ event: 'fault.ended', faultId: id, faultType: run.fault.type, reason }, `Fault ${id} (${run.fault.type}) ended: ${reason}`);
    this.parts.changed();
  }
}
