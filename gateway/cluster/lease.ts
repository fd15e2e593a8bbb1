import type { Clock, Timer } from '../clock.ts';
import { leaseValue, type Claim, type ClaimKeys, type ClaimOutcome, type LeaseStore, type LeaseView } from './lease-store.ts';

/**
 * Timing of one lease. Renewal runs every ttl/3, so two renewals can fail before the holder gives up at
 * ttl/2; the other half of the TTL is the safety margin (docs/cluster.md#how-the-lease-works).
 */
export interface LeaseTiming {
  ttlMs: number;
}

export function renewEveryMs(timing: LeaseTiming): number {
  return Math.max(1, Math.floor(timing.ttlMs / 3));
}

export function validForMs(timing: LeaseTiming): number {
  return Math.max(1, Math.floor(timing.ttlMs / 2));
}

/** A holder that stops holding has its upstream socket gone within this; after it the socket is destroyed. */
export function closeDeadlineMs(timing: LeaseTiming): number {
  return Math.max(1, Math.floor(timing.ttlMs / 6));
}

/**
 * The longest a holder may still have its upstream open after its lease key vanished or changed hands:
 * its validity (renewals it already sent) plus its close deadline. A follower that saw anything but a
 * steady absence does not claim before this has passed since it looked (docs/cluster.md#lease-fencing).
 */
export function fenceWaitMs(timing: LeaseTiming): number {
  return validForMs(timing) + closeDeadlineMs(timing);
}

/** Why a holder stopped holding. */
export type LeaseLossReason =
  /** No renewal succeeded in time (Redis unreachable, or this process was paused). */
  | 'expired'
  /** Redis says the lease is gone or belongs to someone else. */
  | 'taken'
  /** `stop()`: this gateway no longer wants the lease. */
  | 'released';

/** A follower's last look at the lease, on its own clock. */
interface Observation {
  at: number;
  held: boolean;
  fence: string;
  /** The lease key's value (`holder:token`) when held. */
  value: string | undefined;
}

export interface LeaseEvents {
  /** This gateway holds the lease until `onLost`; only now may it open the upstream. */
  onAcquired(claim: Claim): void;
  /**
   * Called synchronously when holding ends; the upstream must not be used after this returns. Resolves
   * once the upstream's socket is gone: only then is the key deleted, so the next holder's connection
   * cannot overlap this one at the broker while a close handshake is still under way.
   */
  onLost(reason: LeaseLossReason): Promise<void> | void;
  /** Every Redis reply or failure (with the command and its error), so the gateway can report `cluster-unavailable`. */
  onRedisReachable?(reachable: boolean, failure?: { command: string; err: unknown }): void;
  /** Asked before each claim; false skips it (an upstream whose cycle failed waits for new demand). */
  mayClaim?(): boolean;
  /** A renewal succeeded: the holder re-announces its upstream state, so followers know who holds it. */
  onRenewed?(): void;
}

export type LeaseState =
  | { kind: 'following' }
  | { kind: 'holding'; token: number; validUntil: number }
  | { kind: 'stopped' };


/**
 * Keeps trying to hold one lease while started. Validity is judged on the local clock from the moment a
 * request was *sent*, never from when its reply came back, so a slow reply can only shorten it. Every
 * timer callback first checks validity and fences synchronously when it has run out: after a pause
 * (SIGSTOP, a long GC) the first timer that fires drops the upstream before any socket is read.
 */
export class LeaseKeeper {
  private current: LeaseState = { kind: 'following' };
  private tickTimer: Timer | undefined;
  private fenceTimer: Timer | undefined;
  readonly renewals = { ok: 0, failed: 0 };
  private seen: Observation | undefined;
  /** A look failed since the last one that worked: what happened meanwhile is unknown. */
  private blind = true;
  /** No claim before this time (local clock): whoever held before may still have its upstream open. */
  private notBefore = 0;

  constructor(
    private readonly store: LeaseStore,
    private readonly keys: ClaimKeys,
    private readonly holderId: string,
    private readonly timing: LeaseTiming,
    private readonly clock: Clock,
    private readonly events: LeaseEvents,
  ) {}

  get state(): LeaseState {
    return this.current;
  }

  /** True while this gateway may keep its upstream open; fences first if validity ran out. */
  holds(): boolean {
    this.fenceIfExpired();
    return this.current.kind === 'holding';
  }

  token(): number | undefined {
    return this.current.kind === 'holding' ? this.current.token : undefined;
  }

  /** The id of the gateway the last look found holding the lease (ours while we hold it). */
  holderSeen(): string | undefined {
    if (this.current.kind === 'holding') return this.holderId;
    const value = this.seen?.value;
    return value === undefined ? undefined : value.slice(0, Math.max(0, value.lastIndexOf(':')));
  }

  /** Whether the last look found a lease (ours or another gateway's); undefined before the first look. */
  leaseSeen(): boolean | undefined {
    if (this.current.kind === 'holding') return true;
    return this.seen?.held;
  }

  start(): void {
    if (this.current.kind === 'stopped') return;
    // A lease may have been deleted just before we looked: its holder may still be connected.
    this.notBefore = Math.max(this.notBefore, this.clock.now() + fenceWaitMs(this.timing));
    if (!this.tickTimer) this.step();
  }

  /** Gives the lease up: fences locally at once, then deletes the key if it is still ours. */
  async stop(): Promise<void> {
    const held = this.current;
    this.tickTimer?.cancel();
    this.fenceTimer?.cancel();
    this.tickTimer = this.fenceTimer = undefined;
    this.current = { kind: 'stopped' };
    if (held.kind !== 'holding') return;
    try {
      await this.releaseWhenClosed(this.events.onLost('released'), held.token);
    } catch {
      // Unreachable Redis lets the key expire on its own; our upstream is already closed.
    }
  }

  /** Gives the lease back but keeps following, so this gateway may claim it again later. */
  async relinquish(): Promise<void> {
    const held = this.current;
    if (held.kind !== 'holding') return;
    await this.releaseWhenClosed(this.lose('released'), held.token).catch(() => undefined);
  }

  private fenceIfExpired(): void {
    const held = this.current;
    if (held.kind !== 'holding' || this.clock.now() < held.validUntil) return;
    // Once the upstream is closed the key may go before its TTL: a slow renewal reply (an overloaded
    // event loop) then costs one reconnect instead of a wait for the key to expire.
    void this.releaseWhenClosed(this.lose('expired'), held.token).catch(() => undefined);
  }

  /**
   * Deletes the key (if still ours) once the upstream's socket is gone. Waiting longer than the TTL
   * gains nothing: by then the key has expired anyway.
   */
  private async releaseWhenClosed(closed: Promise<void> | void, token: number): Promise<void> {
    if (closed) {
      await new Promise<void>((resolve) => {
        const timer = this.clock.after(this.timing.ttlMs, resolve);
        void closed.then(() => {
          timer.cancel();
          resolve();
        });
      });
    }
    await this.store.release(this.keys.lease, leaseValue(this.holderId, token));
  }

  private lose(reason: LeaseLossReason): Promise<void> | void {
    if (this.current.kind !== 'holding') return;
    this.fenceTimer?.cancel();
    this.fenceTimer = undefined;
    this.current = { kind: 'following' };
    this.notBefore = Math.max(this.notBefore, this.clock.now() + fenceWaitMs(this.timing));
    this.blind = true;
    return this.events.onLost(reason);
  }

  private step(): void {
    this.tickTimer = this.clock.after(renewEveryMs(this.timing), () => {
      this.tickTimer = undefined;
      this.fenceIfExpired();
      if (this.current.kind === 'stopped') return;
      this.step();
    });
    if (this.current.kind === 'holding') void this.renew(this.current.token);
    else if (this.current.kind === 'following') void this.look();
  }

  /**
   * One look at the lease, and a claim when this gateway may make one: it wants the lease, its fence wait
   * is over, and it saw the fence before (the claim succeeds only if nobody claimed since).
   */
  private async look(): Promise<void> {
    const sentAt = this.clock.now();
    const seen = this.seen;
    const claiming = seen !== undefined && !this.blind && sentAt >= this.notBefore && (this.events.mayClaim?.() ?? true);
    let outcome: ClaimOutcome;
    try {
      outcome = await this.store.claim(this.keys, this.holderId, this.timing.ttlMs, claiming ? seen.fence : undefined);
      this.events.onRedisReachable?.(true);
    } catch (err) {
      this.blind = true;
      this.events.onRedisReachable?.(false, { command: 'EVAL (lease claim)', err });
      return;
    }
    const { claim, view } = outcome;
    if (claim === undefined) {
      this.observe(view, sentAt);
      return;
    }
    this.seen = { at: this.clock.now(), held: true, fence: view.fence, value: view.holder };
    const { token } = claim;
    const validUntil = sentAt + validForMs(this.timing);
    if (this.current.kind !== 'following' || this.clock.now() >= validUntil || !(this.events.mayClaim?.() ?? true)) {
      // Stopped meanwhile, told to stand back while the claim was in flight, or the reply came too late
      // to use: hand the key back rather than sit on it.
      void this.store.release(this.keys.lease, leaseValue(this.holderId, token)).catch(() => undefined);
      return;
    }
    this.current = { kind: 'holding', token, validUntil };
    this.armFence(validUntil);
    this.events.onAcquired(claim);
  }

  /**
   * Anything but a steady absence (a lease, a lease that just went, a new fence, a gap in our looks)
   * means some holder may still be connected: no claim until the fence wait has passed since now.
   */
  private observe(view: LeaseView, sentAt: number): void {
    const now = this.clock.now();
    const previous = this.seen;
    const held = view.holder !== undefined;
    const gap = this.blind || previous === undefined || sentAt - previous.at > 2 * renewEveryMs(this.timing);
    if (held || gap || previous.held || previous.fence !== view.fence) {
      this.notBefore = Math.max(this.notBefore, now + fenceWaitMs(this.timing));
    }
    this.blind = false;
    this.seen = { at: now, held, fence: view.fence, value: view.holder };
    // The next look claims as soon as the wait is over, not up to a renewal period later.
    if (!held && this.tickTimer && this.notBefore - now < renewEveryMs(this.timing) && this.notBefore > now) {
      this.tickTimer.cancel();
      this.tickTimer = this.clock.after(this.notBefore - now, () => {
        this.tickTimer = undefined;
        if (this.current.kind === 'stopped') return;
        this.step();
      });
    }
  }

  private async renew(token: number): Promise<void> {
    const sentAt = this.clock.now();
    let renewed: boolean;
    try {
      renewed = await this.store.renew(this.keys.lease, leaseValue(this.holderId, token), this.timing.ttlMs);
      this.events.onRedisReachable?.(true);
    } catch (err) {
      this.renewals.failed += 1;
      this.events.onRedisReachable?.(false, { command: 'EVAL (lease renewal)', err });
      return;
    }
    this.fenceIfExpired();
    const held = this.current;
    if (held.kind !== 'holding' || held.token !== token) return;
    if (!renewed) {
      this.renewals.failed += 1;
      this.lose('taken');
      return;
    }
    this.renewals.ok += 1;
    const validUntil = sentAt + validForMs(this.timing);
    if (validUntil > held.validUntil) {
      this.current = { ...held, validUntil };
      this.armFence(validUntil);
    }
    this.events.onRenewed?.();
  }

  private armFence(validUntil: number): void {
    this.fenceTimer?.cancel();
    this.fenceTimer = this.clock.after(validUntil - this.clock.now(), () => {
      this.fenceTimer = undefined;
      this.fenceIfExpired();
    });
  }
}
