import { describe, it } from 'vitest';
import { MUTANTS } from '../support/mutants/bank.ts';
import { detect } from '../support/mutants/detection.ts';

describe.concurrent('baseline', { timeout: 120_000 }, () => {
  it.for([...MUTANTS, 'singleton'] as const)('%s', async (entry, { onTestFinished }) => {
    const d = await detect(onTestFinished, entry);
    console.log(JSON.stringify(d));
  });
});
