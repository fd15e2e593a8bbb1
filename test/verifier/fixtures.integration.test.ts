import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { Finding, VerifyReport } from '../../verifier/index.ts';
import { stormcheck } from '../support/run-stormcheck.ts';

const LOGS = new URL('../../fixtures/logs/', import.meta.url).pathname;

interface Expected {
  exitCode: number;
  findings: Array<Partial<Finding> & Pick<Finding, 'rule' | 'severity' | 'count'>>;
}

const names = (await readdir(LOGS)).filter((f) => f.endsWith('.expected.json')).map((f) => f.slice(0, -'.expected.json'.length));

/** A finding reduced to the fields its expectation names, so expectations stay readable. */
function project(f: Finding, like: Expected['findings'][number]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(like)) out[k] = f[k as keyof Finding];
  return out;
}

describe('fixture logs produce exactly the findings beside them', () => {
  for (const name of names) {
    it(name, async () => {
      const expected = JSON.parse(await readFile(`${LOGS}${name}.expected.json`, 'utf8')) as Expected;
      const { code, stdout, stderr } = await stormcheck(['verify', `${LOGS}${name}`, '--reporter', 'json']);
      expect(stderr).toBe('');
      expect(code).toBe(expected.exitCode);
      const report = JSON.parse(stdout) as VerifyReport;
      expect(report.schemaVersion).toBe(2);
      expect(report.findings).toHaveLength(expected.findings.length);
      const remaining = [...report.findings];
      for (const want of expected.findings) {
        const i = remaining.findIndex((f) => JSON.stringify(project(f, want)) === JSON.stringify(project({ ...want } as Finding, want)));
        expect(i, `expected ${JSON.stringify(want)} among ${JSON.stringify(remaining.map((f) => project(f, want)))}`).toBeGreaterThanOrEqual(0);
        const [found] = remaining.splice(i, 1);
        expect(found.evidence.length).toBeGreaterThan(0);
        expect(found.evidence.length).toBeLessThanOrEqual(5);
        for (const ref of found.evidence) expect(ref).toEqual({ file: expect.any(String), line: expect.any(Number) });
      }
    });
  }
});
