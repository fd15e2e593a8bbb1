import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../verifier/index.ts';
import { JSON_CHUNK_CHARS } from '../../verifier/reporters/json-chunks.ts';
import { renderJunit } from '../../verifier/reporters/junit.ts';
import { builtInRuleNames } from '../../verifier/rules/index.ts';
import { schemaErrors } from '../support/sarif-validation.ts';
import { burstingUsers } from '../support/log-shapes.ts';
import { oneStringJson } from '../support/one-string-json.ts';
import { stormcheck, tempDirPerTest } from '../support/run-stormcheck.ts';

const tmp = tempDirPerTest();

describe('stormcheck verify streams its reports', () => {
  it('json, sarif and junit of a run with 1,000 listed findings: the file is the stdout document, and each is the one-string document', async () => {
    // U+2028 in the file name: every finding's evidence carries it, escaped by the JSON writer.
    const log = await tmp.file('users\u2028.log', burstingUsers(2_000));
    const files = { json: `${tmp.dir}/r.json`, sarif: `${tmp.dir}/r.sarif`, junit: `${tmp.dir}/r.xml` };
    const toFiles = await stormcheck(['verify', log, ...Object.entries(files).flatMap(([name, file]) => ['--reporter', `${name}=${file}`])]);
    expect(toFiles.code, toFiles.stderr).toBe(1);
    const stdout: Record<string, string> = {};
    for (const name of Object.keys(files) as (keyof typeof files)[]) {
      const run = await stormcheck(['verify', log, '--reporter', name]);
      expect(run.code, name).toBe(1);
      stdout[name] = run.stdout;
      expect(await readFile(files[name], 'utf8'), name).toBe(run.stdout);
    }

    const report = JSON.parse(stdout.json) as VerifyReport;
    expect(report.findings).toHaveLength(1_000);
    expect(stdout.json).toContain('users\\u2028.log');
    expect(stdout.json).toBe(oneStringJson(report));
    // Many of the writer's chunks, so the file was written in more than one write.
    expect(stdout.json.length).toBeGreaterThan(10 * JSON_CHUNK_CHARS);

    const sarif = JSON.parse(stdout.sarif) as { runs: { results: unknown[] }[] };
    expect(sarif.runs[0].results).toHaveLength(1_000);
    expect(stdout.sarif).toBe(oneStringJson(sarif));
    expect(await schemaErrors(sarif)).toEqual([]);

    expect(stdout.junit).toBe([...renderJunit(report, { failOn: report.failOn, rules: builtInRuleNames() })].join(''));
    const tests = Number(/<testsuites name="stormcheck" tests="(\d+)"/.exec(stdout.junit)?.[1]);
    expect(stdout.junit.match(/<testcase /g)).toHaveLength(tests);
    expect(stdout.junit.endsWith('  </testsuite>\n</testsuites>\n')).toBe(true);
  });
});
