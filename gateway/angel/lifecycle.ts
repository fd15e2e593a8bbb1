/**
 * The upstream adapter's lifecycle (SPEC §6) as one explicit state type and one transition function.
 * The adapter performs the side effects of entering a state (dial, arm a timer, give up); it never keeps
 * parallel booleans such as `isConnected` or `isReconnecting`, which is how OpenAlgo's adapter ended up
 * retrying after it had been told to stop.
 */
export type Lifecycle =
  | { kind: 'idle' }
  /** Dialling; `attempt` counts the attempts of the current cycle, starting at 1. */
  | { kind: 'connecting'; attempt: number }
  | { kind: 'open' }
  /** Waiting `delayMs` before attempt number `attempt`. */
  | { kind: 'backoff'; attempt: number; delayMs: number; rateLimited: boolean }
  /** The cycle used up its attempts; only a new `start` (the next authenticate) begins another. */
  | { kind: 'failed'; attempts: number }
  | { kind: 'closed' };

/** The lifecycle's state name, as /health and the registries report it. */
export type AdapterState = Lifecycle['kind'];

export type LifecycleEvent =
  /** Someone needs the upstream: begins a cycle from idle or failed, a no-op otherwise (single-flight). */
  | { type: 'start' }
  | { type: 'opened' }
  /** The handshake failed, or an open socket closed or went silent. */
  | { type: 'lost'; rateLimited: boolean }
  /** The backoff timer fired. */
  | { type: 'retry' }
  /** Logout or shutdown: terminal. */
  | { type: 'close' };

export interface LifecyclePolicy {
  /** Connection attempts per cycle before the adapter is `failed`. */
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
      return state.kind === 'idle' || state.kind === 'failed' ? { kind: 'connecting', attempt: 1 } : state;
    case 'opened':
      return state.kind === 'connecting' ? { kind: 'open' } : state;
    case 'retry':
      return state.kind === 'backoff' ? { kind: 'connecting', attempt: state.attempt } : state;
    case 'lost':
      if (state.kind === 'open') {
        // A socket that was serving data starts a fresh cycle, after a pause: a broker that just dropped
        // everyone may still count our old socket against the limit for a moment.
        return { kind: 'backoff', attempt: 1, delayMs: policy.delay(1, event.rateLimited), rateLimited: event.rateLimited };
      }
      if (state.kind !== 'connecting') return state;
      if (state.attempt >= policy.maxAttempts) return { kind: 'failed', attempts: state.attempt };
      return {
        kind: 'backoff',
        attempt: state.attempt + 1,
        delayMs: policy.delay(state.attempt + 1, event.rateLimited),
        rateLimited: event.rateLimited,
      };
  }
}

