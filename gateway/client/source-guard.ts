import { BlockList, isIP } from 'node:net';
import type { Clock } from '../clock.ts';

/**
 * Caps per remote address on the client endpoint (docs/gateway.md#per-source-limits). The global caps
 * (pending upgrades, the fd limit) stay as the last line; these keep one address from using them all.
 */
export interface SourceLimits {
  /** TCP connections of one address still waiting for their upgrade request. */
  maxPendingUpgrades: number;
  /** Open WebSocket connections of one address. */
  maxConnections: number;
  /** Open WebSocket connections of one address that have not sent a valid API key yet. */
  maxUnauthenticated: number;
  /** Wrong API keys from one address, across its connections, before it is refused for `authBlockMs`. */
  authFailuresBeforeBlock: number;
  /** How long an address that sent too many wrong keys is refused; its count of wrong keys is forgotten after as long without one. */
  authBlockMs: number;
}

/**
 * Defaults sized for one application server behind one address: a whole app reconnecting at once (the
 * auth-storm bench opens 1,000 clients from one address, and on a loaded machine most of them wait for
 * their upgrade together) stays within them, while one address can hold at most a quarter of the global
 * cap of 4,096 pending upgrades.
 */
export const DEFAULT_SOURCE_LIMITS: SourceLimits = {
  maxPendingUpgrades: 1_024,
  maxConnections: 1_200,
  maxUnauthenticated: 1_024,
  authFailuresBeforeBlock: 20,
  authBlockMs: 60_000,
};

export type SourceRefusal =
  | 'too_many_pending_upgrades_per_source'
  | 'too_many_connections_per_source'
  | 'too_many_unauthenticated_per_source'
  | 'auth_blocked';

export const SOURCE_REFUSALS: readonly SourceRefusal[] = [
  'too_many_pending_upgrades_per_source',
  'too_many_connections_per_source',
  'too_many_unauthenticated_per_source',
  'auth_blocked',
];

interface Source {
  pending: number;
  open: number;
  unauthenticated: number;
  failures: number;
  lastFailureAt: number;
  blockedUntil: number;
}

/** What a wrong key costs its address: how long the reply waits, and whether the address is now refused. */
export interface AuthPenalty {
  delayMs: number;
  blocked: boolean;
  /** This wrong key is the one that got the address refused (log it once). */
  justBlocked: boolean;
}

/** Longest wait before an "invalid API key" reply, however many wrong keys an address sent. */
const MAX_AUTH_DELAY_MS = 10_000;

/**
 * Counts, per remote address, what that address holds of the client endpoint and how many wrong API keys
 * it sent across reconnects. An address is forgotten once it holds nothing and its wrong keys are old.
 */
export class SourceGuard {
  private readonly sources = new Map<string, Source>();

  constructor(
    private readonly limits: SourceLimits,
    private readonly clock: Clock,
    private readonly baseAuthDelayMs: number,
  ) {}

  /** A new TCP connection: false when its address already has its fill of pending upgrades. */
  pendingStarted(address: string): boolean {
    const source = this.source(address);
    if (source.pending >= this.limits.maxPendingUpgrades) return false;
    source.pending += 1;
    return true;
  }

  pendingEnded(address: string): void {
    const source = this.sources.get(address);
    if (!source) return;
    source.pending -= 1;
    this.forgetIfIdle(address, source);
  }

  /** An upgrade request: the refusal, or undefined when the address may open one more connection (counted now). */
  admit(address: string): SourceRefusal | undefined {
    const source = this.source(address);
    const refusal =
      this.blockedForMs(address) > 0
        ? 'auth_blocked'
        : source.open >= this.limits.maxConnections
          ? 'too_many_connections_per_source'
          : source.unauthenticated >= this.limits.maxUnauthenticated
            ? 'too_many_unauthenticated_per_source'
            : undefined;
    if (refusal) {
      this.forgetIfIdle(address, source);
      return refusal;
    }
    source.open += 1;
    source.unauthenticated += 1;
    return undefined;
  }

  authenticated(address: string): void {
    const source = this.sources.get(address);
    if (source) source.unauthenticated -= 1;
  }

  closed(address: string, authenticated: boolean): void {
    const source = this.sources.get(address);
    if (!source) return;
    source.open -= 1;
    if (!authenticated) source.unauthenticated -= 1;
    this.forgetIfIdle(address, source);
  }

  /** A wrong key: the reply waits longer with each the address sent lately; past the limit it is refused for a while. */
  authFailed(address: string): AuthPenalty {
    const source = this.source(address);
    const now = this.clock.now();
    if (now - source.lastFailureAt >= this.limits.authBlockMs) source.failures = 0;
    source.failures += 1;
    source.lastFailureAt = now;
    const wasBlocked = now < source.blockedUntil;
    const blocked = source.failures >= this.limits.authFailuresBeforeBlock;
    if (blocked) source.blockedUntil = now + this.limits.authBlockMs;
    const delayMs = Math.min(MAX_AUTH_DELAY_MS, this.baseAuthDelayMs * 2 ** Math.min(16, source.failures - 1));
    return { delayMs, blocked, justBlocked: blocked && !wasBlocked };
  }

  /** How much longer this address is refused after too many wrong keys; 0 when it is not. */
  blockedForMs(address: string): number {
    const source = this.sources.get(address);
    return source ? Math.max(0, source.blockedUntil - this.clock.now()) : 0;
  }

  /** Addresses tracked now (holding something, or with recent wrong keys). */
  get size(): number {
    return this.sources.size;
  }

  private source(address: string): Source {
    let source = this.sources.get(address);
    if (!source) {
      source = { pending: 0, open: 0, unauthenticated: 0, failures: 0, lastFailureAt: -Infinity, blockedUntil: 0 };
      this.sources.set(address, source);
    }
    return source;
  }

  private forgetIfIdle(address: string, source: Source): void {
    const now = this.clock.now();
    const remembered = now < source.blockedUntil || now - source.lastFailureAt < this.limits.authBlockMs;
    if (source.pending <= 0 && source.open <= 0 && !remembered) this.sources.delete(address);
  }
}

/**
 * `--trust-proxy CIDR[,CIDR…]`: the addresses of reverse proxies whose `X-Forwarded-For` names the client.
 * Built on node's BlockList, which matches IPv4 and IPv6 subnets.
 */
export class TrustedProxies {
  private readonly list = new BlockList();
  private readonly empty: boolean;

  constructor(cidrs: readonly string[]) {
    for (const cidr of cidrs) {
      const [address, bits] = cidr.split('/');
      const family = isIP(address ?? '');
      if (family === 0) throw new Error(`not an IP address or CIDR: '${cidr}'`);
      const type = family === 6 ? 'ipv6' : 'ipv4';
      const prefix = bits === undefined ? (family === 6 ? 128 : 32) : Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32)) throw new Error(`bad prefix length in '${cidr}'`);
      this.list.addSubnet(address!, prefix, type);
    }
    this.empty = cidrs.length === 0;
  }

  trusts(address: string): boolean {
    if (this.empty) return false;
    const plain = unmapped(address);
    const family = isIP(plain);
    return family !== 0 && this.list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  }

  /**
   * The client's address: the peer's, unless the peer is a trusted proxy; then the right-most address
   * of `X-Forwarded-For` that is not itself a trusted proxy (left of it, anyone could have written it).
   */
  clientAddress(peer: string, forwardedFor: string | string[] | undefined): string {
    if (!this.trusts(peer) || forwardedFor === undefined) return unmapped(peer);
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
      .split(',')
      .map((hop) => hop.trim())
      .filter((hop) => isIP(unmapped(hop)) !== 0);
    for (let i = hops.length - 1; i >= 0; i--) if (!this.trusts(hops[i]!)) return unmapped(hops[i]!);
    return hops.length > 0 ? unmapped(hops[0]!) : unmapped(peer);
  }
}

/** `::ffff:1.2.3.4` (an IPv4 peer on a dual-stack socket) is the address 1.2.3.4. */
function unmapped(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
