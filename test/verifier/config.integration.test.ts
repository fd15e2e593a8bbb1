import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stormcheck, tempDirPerTest } from '../support/run-stormcheck.ts';

const CHURN = new URL('../../fixtures/logs/docker-churn.log', import.meta.url).pathname;
const tmp = tempDirPerTest();

const config = (doc: unknown) => writeFile(path.join(tmp.dir, 'stormcheck.config.json'), JSON.stringify(doc));

describe('verify with stormcheck.config.json', () => {
  it('a config that turns the failing rules off changes the exit code from 1 to 0', async () => {
    expect((await stormcheck(['verify', CHURN], { cwd: tmp.dir })).code).toBe(1);
    await config({ rules: { 'adapter-burst': 'off', 'adapter-churn': 'warning' } });
    const { code, stdout } = await stormcheck(['verify', CHURN, '--reporter', 'json'], { cwd: tmp.dir });
    expect(code).toBe(0);
    const findings = (JSON.parse(stdout) as { findings: { rule: string; severity: string }[] }).findings;
    expect(findings.map((f) => `${f.rule}:${f.severity}`)).toEqual(['adapter-churn:warning']);
  });

  it('is found from a sub-folder, and --config names another', async () => {
    await config({ rules: { 'adapter-burst': 'off', 'adapter-churn': 'off' } });
    const sub = path.join(tmp.dir, 'deep', 'er');
    await mkdir(sub, { recursive: true });
    expect((await stormcheck(['verify', CHURN], { cwd: sub })).code).toBe(0);
    const strict = path.join(tmp.dir, 'strict.json');
    await writeFile(strict, JSON.stringify({ failOn: 'error' }));
    expect((await stormcheck(['verify', CHURN, '--config', strict], { cwd: sub })).code).toBe(1);
  });

  it('takes inputs and thresholds from the file, and flags over both (--print-config)', async () => {
    await config({ inputs: ['logs/'], failOn: 'warning', rules: { 'adapter-burst': { thresholds: { burst: 4, window: '2m' } } } });
    const fromFile = JSON.parse((await stormcheck(['verify', '--print-config'], { cwd: tmp.dir })).stdout);
    expect(fromFile).toMatchObject({ inputs: [path.join(tmp.dir, 'logs')], failOn: 'warning', reporters: ['text'] });
    expect(fromFile.rules['adapter-burst']).toEqual({ severity: 'error', thresholds: { burst: 4, window: '2m' } });

    const flagged = JSON.parse((await stormcheck(['verify', 'x.log', '--burst', '3', '--fail-on', 'error', '--print-config'], { cwd: tmp.dir })).stdout);
    expect(flagged).toMatchObject({ inputs: ['x.log'], failOn: 'error' });
    expect(flagged.rules['adapter-burst'].thresholds).toEqual({ burst: 3, window: '2m' });
  });

  it('an unknown key is a usage error naming it and the nearest valid key, before anything is read', async () => {
    await config({ rules: { 'adapter-burst': { severty: 'off' } } });
    const { code, stderr, stdout } = await stormcheck(['verify', CHURN], { cwd: tmp.dir });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/stormcheck\.config\.json: rules\.adapter-burst\.severty: unknown key "severty"; did you mean "severity"\?/);
  });
});
