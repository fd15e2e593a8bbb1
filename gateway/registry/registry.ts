import type { AdapterDeps, AdapterHealth, UpstreamAdapter } from '../upstream/adapter-contract.ts';
import type { BrokerName } from '../../protocol/openalgo/index.ts';
import type { UserRecord } from '../users.ts';

/** `--registry`: the fix (`singleton`), or OpenAlgo's proxy as it behaved in 2025-11 and 2026-08. */
export const REGISTRY_MODES = ['singleton', 'legacy-2025', 'legacy-2026'] as const;
export type RegistryMode = (typeof REGISTRY_MODES)[number];
/** What `--registry` accepts: a mode, or `legacy`, the alias of `legacy-2025`. */
export type RegistryChoice = RegistryMode | 'legacy';

export function resolveRegistry(choice: RegistryChoice): RegistryMode {
  return choice === 'legacy' ? 'legacy-2025' : choice;
}

/** One client's hold on an adapter; `release` is idempotent. */
export interface Lease {
  readonly adapter: UpstreamAdapter;
  release(): void;
}

/** A lease whose `release` runs `onRelease` once, however often a client's teardown paths call it. */
export function leaseOf(adapter: UpstreamAdapter, onRelease: () => void): Lease {
  let released = false;
  return {
    adapter,
    release: () => {
      if (released) return;
      released = true;
      onRelease();
    },
  };
}

/** Keeps adapters per (user, broker). Two implementations: the fix (`singleton`) and OpenAlgo's (`legacy-registry.ts`). */
export interface Registry {
  /** Called on authenticate. Rejects with BrokerUnavailableError when the upstream cannot be had. */
  acquire(user: UserRecord): Promise<Lease>;
  /** Logout: closes the user's upstream before anything new may open for them. */
  remove(userId: string, broker: BrokerName): Promise<void>;
  health(): AdapterHealth[];
  /** Shutdown: closes every upstream socket and cancels every timer, zombies included. */
  close(): Promise<void>;
}

export interface RegistryDeps extends AdapterDeps {
  /** `--linger-ms`: release an open adapter this long after its last client left; 0 keeps it until logout. */
  lingerMs: number;
  /** `--max-upstream`: upstream connections one user's pool may hold at once. */
  maxUpstream: number;
}

/** Registry key; NUL cannot occur in a user id read from JSON by accident. */
export function registryKey(userId: string, broker: BrokerName): string {
  return `${userId}\u0000${broker}`;
}
