import { mkdir, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../verifier/index.ts';
import { burstingUsers } from '../support/log-shapes.ts';
import { oa, stormcheck, tempDirPerTest } from '../support/run-stormcheck.ts';

const tmp = tempDirPerTest();

describe('stormcheck verify stays bounded on hostile inputs (the sizes and RSS are in npm run bench -- --only verify-memory)', () => {
  it('5,000 users each with findings: the first subjects are detailed, the rest summarised with counts, and every reporter writes its report', async () => {
    const log = await tmp.file('users.log', burstingUsers(5_000));
    const json = await stormcheck(['verify', log, '--reporter', 'json']);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as VerifyReport;
    expect(report.findings.length).toBeLessThanOrEqual(1_000);
    expect(report.findingCounts.error).toBeGreaterThan(report.findings.length);
    expect(report.omitted.findings).toBe(report.findingCounts.error + report.findingCounts.warning + report.findingCounts.info - report.findings.length);
    const text = await stormcheck(['verify', log]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/… \d+ more finding\(s\) summarised in the counts above/);
    for (const reporter of ['junit', 'github']) {
      const r = await stormcheck(['verify', log, '--reporter', reporter]);
      expect(r.code, reporter).toBe(1);
      expect(r.stdout.length, reporter).toBeGreaterThan(0);
    }
  });

  it('1,500 files in a folder: the first 1,000 inputs are listed, the rest counted, and all are judged', async () => {
    for (let d = 0; d < 3; d++) {
      await mkdir(`${tmp.dir}/d${d}`);
      await Promise.all(Array.from({ length: 500 }, (_, i) => writeFile(`${tmp.dir}/d${d}/app${i}.log`, `${oa(i, 'Connected to Angel WebSocket')}\n`)));
    }
    const { code, stdout } = await stormcheck(['verify', tmp.dir, '--reporter', 'json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as VerifyReport;
    expect(report.inputs).toHaveLength(1_000);
    expect(report.omitted).toMatchObject({ inputs: 500, groups: 500 });
    expect(report.linesRead).toBe(1_500);
  });
});
