import type { GatewayOptions } from '../../../gateway/index.ts';
import { DefaultUpstreamSocket } from '../../../gateway/upstream/upstream-socket.ts';
import { MutantRegistry, type RegistryMechanisms } from './mutant-registry.ts';
import { loseSubscriptionsOnReconnect, nestedRetryChains, openBeforeClose } from './socket-mechanisms.ts';

/**
 * The bank of mutants (issue 21, docs/benchmarks.md#detection-table): registries that each carry one known
 * mechanism of the bug, composed from the named pieces in mutant-registry.ts and socket-mechanisms.ts, and
 * OpenAlgo's two legacy registries. `singleton` is the control: the fix, which no gate may fail.
 */
export const MUTANTS = [
  'teardown-on-last-client',
  'no-single-flight',
  'retry-without-backoff',
  'zombie-retry',
  'nested-retry-chains',
  'open-before-close',
  'lose-subscriptions',
  'dial-with-no-client',
  'legacy-2025',
  'legacy-2026',
] as const;
export type Mutant = (typeof MUTANTS)[number];
export type BankEntry = Mutant | 'singleton';

/** What each mutant does, in the detection table's words. */
export const MECHANISM: Record<BankEntry, string> = {
  'teardown-on-last-client': 'tears the upstream down when the last client leaves',
  'no-single-flight': 'creates an adapter per authenticate while a connect is pending',
  'retry-without-backoff': 'retries a refused or lost connection at once',
  'zombie-retry': 'tears down on the last client, and a retry armed before still dials',
  'nested-retry-chains': 'a second retry layer reconnects beside the adapter after each drop',
  'open-before-close': 'opens the new socket before the old one has closed',
  'lose-subscriptions': 'reconnects without replaying its subscriptions',
  'dial-with-no-client': 'keeps reconnecting when no client wants data',
  'legacy-2025': "OpenAlgo 2025-11's proxy (teardown, nested SDK retries, zombies)",
  'legacy-2026': "OpenAlgo 2026-08's proxy (pool teardown, back-off beside the SDK, freeze, zombies)",
  singleton: 'the fix',
};

/**
 * The deployment setting every entry of the bank shares: a watchdog that notices a silent upstream within
 * 2 s, so a short broker stall reaches the reconnect path (where `open-before-close` lives) inside a probe.
 */
export const BANK_HEARTBEAT = { pingMs: 500, deadMs: 2_000 } as const;

/** How long `open-before-close` keeps an old socket at most when no new one opens. */
const HOLD_OLD_SOCKET_MS = 5_000;

export interface MutantSetup {
  options: GatewayOptions;
  /** Ends what the mechanism keeps alive by itself (retry chains, held sockets); call after the gateway closed. */
  stop(): void;
}

const registryWith = (mechanisms: RegistryMechanisms): GatewayOptions => ({
  createRegistry: (deps) => new MutantRegistry(deps, mechanisms),
});

/** Gateway options that make a gateway carry `entry`; `legacyTimeScale` is the legacy registries' `--time-scale`. */
export function mutantSetup(entry: BankEntry, legacyTimeScale = 1): MutantSetup {
  const base: GatewayOptions = { heartbeat: BANK_HEARTBEAT };
  const plain = (options: GatewayOptions): MutantSetup => ({ options: { ...base, ...options }, stop: () => undefined });
  switch (entry) {
    case 'singleton':
      return plain({ registry: 'singleton' });
    case 'legacy-2025':
    case 'legacy-2026':
      return plain({ registry: entry, legacy: { timeScale: legacyTimeScale } });
    case 'teardown-on-last-client':
      return plain(registryWith({ teardownOnLastClient: true }));
    case 'no-single-flight':
      return plain(registryWith({ noSingleFlight: true }));
    case 'dial-with-no-client':
      return plain(registryWith({ dialWithNoClient: true }));
    case 'zombie-retry':
      return plain(registryWith({ teardownOnLastClient: true, retrySurvivesTeardown: true }));
    case 'retry-without-backoff':
      return plain({ registry: 'singleton', backoff: { baseMs: 0, capMs: 0, rateLimitedMinMs: 0, rateLimitedMaxMs: 0 } });
    case 'lose-subscriptions':
      return plain({ registry: 'singleton', WebSocket: loseSubscriptionsOnReconnect(DefaultUpstreamSocket) });
    case 'nested-retry-chains': {
      const chains = nestedRetryChains(DefaultUpstreamSocket, 0);
      return { options: { ...base, registry: 'singleton', WebSocket: chains.WebSocket }, stop: chains.stop };
    }
    case 'open-before-close': {
      const overlap = openBeforeClose(DefaultUpstreamSocket, HOLD_OLD_SOCKET_MS);
      return { options: { ...base, registry: 'singleton', WebSocket: overlap.WebSocket }, stop: overlap.stop };
    }
  }
}
