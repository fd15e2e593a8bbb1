/**
 * The upstream adapter's lifecycle (docs/architecture.md#registries) as one explicit state type and one
 * transition function. The adapter performs the side effects of entering a state (dial, arm a timer, give
 * up); it never keeps parallel booleans such as `isConnected` or `isReconnecting`, which is how OpenAlgo's
 * adapter ended up retrying after it had been told to stop.
 */
export type Lifecycle =
  | { kind: 'idle' }
  /**
   * Dialling; `attempt` counts the attempts of the current cycle, starting at 1; `failures` counts only
   * those that failed for a reason other than 429.
   */
  | { kind: 'connecting'; attempt: number; failures: number }
  | { kind: 'open' }
  /** Waiting `delayMs` before attempt number `attempt`. */
  | { kind: 'backoff'; attempt: number; failures: number; delayMs: number; rateLimited: boolean }
  /** The cycle used up its attempts; only a new `start` (a client asking again) begins another. */
  | { kind: 'failed'; attempts: number }
  | { kind: 'closed' };

/** The lifecycle's state name, as /health and the registries report it. */
export type AdapterState = Lifecycle['kind'];

export type LifecycleEvent =
  /** Someone needs the upstream: begins a cycle from idle or failed, a no-op otherwise (single-flight). */
  | { type: 'start' }
  | { type: 'opened' }
  /** The handshake failed, or an open socket closed or went silent. */
  | { type: 'lost'; rateLimited: boolean; retryAfterMs?: number }
  /** The backoff timer fired. */
  | { type: 'retry' }
  /**
   * No client wants data and no socket is open or in flight: the cycle stops instead of dialling for
   * nobody; the next `start` begins a new one.
   */
  | { type: 'pause' }
  /** Logout or shutdown: terminal. */
  | { type: 'close' };

export interface LifecyclePolicy {
  /**
   * Failed attempts per cycle before the adapter is `failed`. A 429 does not count: it says another
   * connection holds the user's slots, which frees by itself, so the cycle keeps retrying at the paced
   * 429 rate for as long as clients want data.
   */
  maxAttempts: number;
  /** Delay before attempt `attempt` (≥ 2 after a failed handshake, 1 after losing an open socket). */
  delay(attempt: number, rateLimited: boolean): number;
}

export const INITIAL_LIFECYCLE: Lifecycle = { kind: 'idle' };

/** The next state; an event that does not apply to the current state leaves it unchanged. */
export function transition(state: Lifecycle, event: LifecycleEvent, policy: LifecyclePolicy): Lifecycle {
  if (state.kind === 'closed') return state;
  switch (event.type) {
    case 'close':
      return { kind: 'closed' };
    case 'start':
      return state.kind === 'idle' || state.kind === 'failed' ? { kind: 'connecting', attempt: 1, failures: 0 } : state;
    case 'opened':
      return state.kind === 'connecting' ? { kind: 'open' } : state;
    case 'retry':
      return state.kind === 'backoff' ? { kind: 'connecting', attempt: state.attempt, failures: state.failures } : state;
    case 'pause':
      return state.kind === 'connecting' || state.kind === 'backoff' || state.kind === 'open' ? { kind: 'idle' } : state;
    case 'lost':
      if (state.kind === 'open') {
        // A socket that was serving data starts a fresh cycle, after a pause: a broker that just dropped
        // everyone may still count our old socket against the limit for a moment.
        return { kind: 'backoff', attempt: 1, failures: 0, delayMs: delayFor(policy, 1, event), rateLimited: event.rateLimited };
      }
      if (state.kind !== 'connecting') return state;
      const failures = state.failures + (event.rateLimited ? 0 : 1);
      if (failures >= policy.maxAttempts) return { kind: 'failed', attempts: state.attempt };
      return {
        kind: 'backoff',
        attempt: state.attempt + 1,
        failures,
        delayMs: delayFor(policy, state.attempt + 1, event),
        rateLimited: event.rateLimited,
      };
  }
}

/** The policy's delay, or longer when the broker's refusal said how long to wait (`Retry-After`). */
function delayFor(policy: LifecyclePolicy, attempt: number, event: { rateLimited: boolean; retryAfterMs?: number }): number {
  return Math.max(policy.delay(attempt, event.rateLimited), event.retryAfterMs ?? 0);
}
