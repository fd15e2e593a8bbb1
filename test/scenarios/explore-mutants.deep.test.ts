import { describe, expect, it } from 'vitest';
import { DEMO_USER } from '../../gateway/index.ts';
import { runExplore } from '../../scenarios/explore/explore.ts';
import { MECHANISM, MUTANTS, type BankEntry } from '../support/mutants/bank.ts';
import { mutantRig } from '../support/mutants/mutant-rig.ts';

/** Per entry of the bank: minutes of search on a shared machine. */
const BUDGET_MS = 90_000;
const LEGACY_TIME_SCALE = 0.1;
const SEED = Number(process.env.STORMCHECK_SEED ?? 1);

/**
 * The explore column of the detection table (docs/benchmarks.md#detection-table): the broker's record shows
 * every mechanism but lost subscriptions, which only the clients see (they get no data).
 */
const BROKER_BLIND: ReadonlySet<BankEntry> = new Set(['lose-subscriptions']);

async function explore(entry: BankEntry, onFinished: Parameters<typeof mutantRig>[0]) {
  const { broker, gateway } = await mutantRig(onFinished, entry, { legacyTimeScale: LEGACY_TIME_SCALE });
  return runExplore({ url: gateway.url, apiKey: DEMO_USER.apiKey, brokerAdmin: broker.adminUrl, seed: SEED, budgetMs: BUDGET_MS });
}

describe(`deep: probe --explore against the bank of mutants (seed ${SEED})`, () => {
  it.for(MUTANTS.filter((m) => !BROKER_BLIND.has(m)))('finds %s failing and shrinks it', async (entry, { onTestFinished }) => {
    const report = await explore(entry, onTestFinished);

    expect(report.verdict, `${entry}: ${MECHANISM[entry]}`).toBe('fail');
    expect(report.failure!.minimalSteps).toBeLessThanOrEqual(report.failure!.firstFailingSteps);
  });

  it.for([...BROKER_BLIND])('does not catch %s: the broker\'s record cannot show it', async (entry, { onTestFinished }) => {
    expect((await explore(entry, onTestFinished)).verdict).toBe('pass');
  });

  it('finds nothing against the singleton', async ({ onTestFinished }) => {
    const report = await explore('singleton', onTestFinished);

    expect(report.failure?.summary).toBeUndefined();
    expect(report.sequences).toBeGreaterThan(0);
  });
});
