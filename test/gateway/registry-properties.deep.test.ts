import { describe, expect, it } from 'vitest';
import { InvariantError } from '../model/registry-model.ts';
import { assertRegistry, checkRegistry, fromEnv, replayCommand, type RegistryRunConfig } from '../model/registry-model-run.ts';

/**
 * Deep registry properties (`npm run test:deep`): the same model and commands as the fast suite, on real
 * timers (gateway timings scaled by DEEP_SCALE), with more runs and longer sequences. The seed is new on
 * every run unless STORMCHECK_SEED is set; a failure prints the command that replays it.
 */

const env = fromEnv({ seed: Date.now() % 2_147_483_647, numRuns: 100, maxCommands: 60 });
const DEEP: RegistryRunConfig = { registry: 'singleton', speed: 'deep', scheduled: false, maxReconnect: 5, ...env };
const LEGACY_SEEDS = 3;

console.log(`registry deep properties: seed ${DEEP.seed}, ${DEEP.numRuns} runs, up to ${DEEP.maxCommands} commands`);

describe('registry properties against the mock broker (deep: real timers)', () => {
  const random = 'deep: singleton keeps every invariant under random clients, users, faults and time';
  it(random, async () => {
    const details = await assertRegistry(DEEP, 'test:deep', random);
    expect(details.failed).toBe(false);
  });

  const scheduled = 'deep: singleton keeps every invariant when fast-check reorders concurrent authenticates and upstream handshakes';
  it(scheduled, async () => {
    const details = await assertRegistry({ ...DEEP, scheduled: true, numRuns: Math.ceil(DEEP.numRuns / 2) }, 'test:deep', scheduled);
    expect(details.failed).toBe(false);
  });

  const pool = 'deep: singleton pool keeps every invariant within its budget of connections and tokens';
  it(pool, async () => {
    const details = await assertRegistry({ ...DEEP, pool: { maxTokens: 1, maxUpstream: 2 }, numRuns: Math.ceil(DEEP.numRuns / 2) }, 'test:deep', pool);
    expect(details.failed).toBe(false);
  });

  it('deep: legacy is caught from every seed tried, each counterexample shrunk', async () => {
    for (let i = 0; i < LEGACY_SEEDS; i++) {
      const seed = DEEP.seed + i;
      const details = await checkRegistry({ ...DEEP, registry: 'legacy-2025', seed, path: i === 0 ? DEEP.path : undefined, replayPath: i === 0 ? DEEP.replayPath : undefined, timeLimitMs: 120_000 });
      const rendered = details.failed ? String((details.counterexample as unknown[])[0]) : '(none)';
      console.log(`legacy seed ${seed}: ${details.failed ? 'caught' : 'NOT caught'} after ${details.numRuns} runs, ${details.numShrinks} shrinks: ${rendered}\n  ${String(details.errorInstance)}\n  replay: ${replayCommand(details, 'test:deep', 'legacy is caught')}`);
      expect(details.failed).toBe(true);
      expect(details.errorInstance).toBeInstanceOf(InvariantError);
      if (i > 0 || !DEEP.path) expect(details.numShrinks).toBeGreaterThan(0);
    }
  });
});
