import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../verifier/config/config-schema.ts';
import { checkConfig, findConfig } from '../../verifier/config/load-config.ts';
import { printableSettings, resolveSettings } from '../../verifier/config/resolve-settings.ts';
import { tempDirPerTest } from '../support/run-stormcheck.ts';

const SHIPPED = new URL('../../schema/stormcheck.config.schema.json', import.meta.url);
const tmp = tempDirPerTest();

const VALID = {
  $schema: './node_modules/stormcheck/schema/stormcheck.config.schema.json',
  inputs: ['logs/'],
  reporters: ['text', 'sarif=reports/stormcheck.sarif'],
  failOn: 'warning',
  rulesFile: 'stormcheck-rules.json',
  rules: { 'stale-feed': 'off', 'broker-429': 'error', 'adapter-burst': { severity: 'warning', thresholds: { burst: 3, window: '2m' } } },
};

const INVALID: Array<[string, unknown, RegExp]> = [
  ['a misspelt top-level key', { failon: 'error' }, /failon: unknown key "failon"; did you mean "failOn"\?/],
  ['a misspelt rule', { rules: { 'adapter-burts': 'off' } }, /rules\.adapter-burts: unknown key "adapter-burts"; did you mean "adapter-burst"\?/],
  ['a misspelt level', { rules: { 'stale-feed': 'warn' } }, /rules\.stale-feed: "warn" is not one of off, error, warning, info; did you mean "warning"\?/],
  ['a threshold the rule does not read', { rules: { 'adapter-burst': { thresholds: { windw: '2m' } } } }, /thresholds\.windw: unknown key "windw"; did you mean "window"\?/],
  ['a duration without its unit', { rules: { 'adapter-churn': { thresholds: { window: 60 } } } }, /thresholds\.window: 60 is not a duration with its unit/],
  ['a count that is not whole', { rules: { 'connect-storm': { thresholds: { storm: 2.5 } } } }, /thresholds\.storm: 2\.5 is not a whole number/],
  ['an unknown reporter', { reporters: ['sarf'] }, /reporters: "sarf" is not one of text, json/],
  ['a bad failOn', { failOn: 'errors' }, /failOn: "errors" is not one of error, warning, info; did you mean "error"\?/],
];

describe('stormcheck.config.json', () => {
  it('ships the schema the rule catalog gives (run npm run schema when this fails)', async () => {
    expect(JSON.parse(await readFile(SHIPPED, 'utf8'))).toEqual(configSchema());
  });

  it('accepts what the schema accepts, resolving paths against the file', () => {
    expect(new Ajv().validate(configSchema(), VALID)).toBe(true);
    const config = checkConfig(VALID, '/repo/ci/stormcheck.config.json');
    expect(config).toMatchObject({
      inputs: ['/repo/ci/logs'],
      reporters: ['text', 'sarif=/repo/ci/reports/stormcheck.sarif'],
      failOn: 'warning',
      rulesFile: '/repo/ci/stormcheck-rules.json',
      rules: { 'stale-feed': { severity: 'off' }, 'adapter-burst': { severity: 'warning', thresholds: { burst: 3, windowMs: 120_000 } } },
    });
  });

  it.each(INVALID)('rejects %s, as the schema does, naming the key and the nearest valid one', (_, doc, message) => {
    expect(new Ajv().validate(configSchema(), doc)).toBe(false);
    expect(() => checkConfig(doc, 'stormcheck.config.json')).toThrow(message);
  });

  it('is found from the working directory upward', async () => {
    const deep = path.join(tmp.dir, 'a', 'b');
    await mkdir(deep, { recursive: true });
    await writeFile(path.join(tmp.dir, 'stormcheck.config.json'), '{}');
    expect(await findConfig(deep)).toBe(path.join(tmp.dir, 'stormcheck.config.json'));
  });

  it('takes flags, then the file, then the defaults', () => {
    const config = checkConfig(VALID, '/repo/stormcheck.config.json');
    const fromFile = resolveSettings({ paths: [], thresholds: {} }, config);
    expect(fromFile).toMatchObject({ inputs: ['/repo/logs'], failOn: 'warning', thresholds: { windowMs: 60_000, burst: 2 } });
    expect(printableSettings(fromFile).rules).toMatchObject({ 'adapter-burst': { severity: 'warning', thresholds: { burst: 3, window: '2m' } } });

    const flagged = resolveSettings({ paths: ['app.log'], failOn: 'error', reporters: ['json'], thresholds: { burst: 5 } }, config);
    expect(flagged).toMatchObject({ inputs: ['app.log'], failOn: 'error', reporters: ['json'], thresholds: { burst: 5 } });
    expect(printableSettings(flagged).rules).toMatchObject({ 'adapter-burst': { thresholds: { burst: 5, window: '2m' } } });

    expect(resolveSettings({ paths: [], thresholds: {} }, undefined)).toMatchObject({ reporters: ['text'], failOn: 'error', rules: {} });
  });
});
