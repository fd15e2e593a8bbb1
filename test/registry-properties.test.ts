import { describe, expect, it } from 'vitest';
import { assertRegistry, fromEnv, type RegistryRunConfig } from './registry-model-run.ts';

/**
 * Fast registry properties (`npm test`): real sockets in this process, gateway timers on a manual clock
 * driven by the commands, a fixed default seed (STORMCHECK_SEED / STORMCHECK_PATH replay a failure).
 */

const FAST = fromEnv({ seed: 20_261_126, numRuns: 12, maxCommands: 14 });
const base: RegistryRunConfig = { registry: 'singleton', speed: 'fast', scheduled: false, maxReconnect: 5, ...FAST };

describe('registry properties against the mock broker (fast: manual clock)', () => {
  it('singleton keeps every invariant under random clients, users, faults and time', { timeout: 120_000 }, async () => {
    const details = await assertRegistry(base, 'test', 'singleton keeps every invariant under random clients, users, faults and time');
    expect(details.numRuns).toBe(FAST.numRuns);
  });
});
