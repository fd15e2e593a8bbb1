import { describe, expect, it } from 'vitest';
import { stormcheck } from '../support/run-stormcheck.ts';

const FIXTURE = new URL('../../fixtures/logs/docker-churn.log', import.meta.url).pathname;
const RED_ERROR = '\x1b[31mERROR';

describe('verify colour', () => {
  it('the built CLI colours a piped report only when asked', async () => {
    const env = { ...process.env, FORCE_COLOR: undefined, NO_COLOR: undefined };
    const plain = await stormcheck(['verify', FIXTURE], { env });
    const forced = await stormcheck(['verify', FIXTURE, '--color'], { env });
    const byEnv = await stormcheck(['verify', FIXTURE], { env: { ...env, FORCE_COLOR: '1' } });
    const refused = await stormcheck(['verify', FIXTURE, '--no-color'], { env: { ...env, FORCE_COLOR: '1' } });

    expect([plain, forced, byEnv, refused].map((r) => r.code)).toEqual([1, 1, 1, 1]);
    expect(plain.stdout).not.toContain('\x1b[');
    expect(forced.stdout).toContain(RED_ERROR);
    expect(byEnv.stdout).toContain(RED_ERROR);
    expect(refused.stdout).toBe(plain.stdout);
  });
});
