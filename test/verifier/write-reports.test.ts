import { readFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, errorReport, type Finding, type VerifyReport } from '../../verifier/index.ts';
import { JSON_CHUNK_CHARS } from '../../verifier/reporters/json-chunks.ts';
import { writeReports } from '../../verifier/reporters/write-reports.ts';
import { oneStringJson } from '../support/one-string-json.ts';
import { tempDirPerTest } from '../support/run-stormcheck.ts';

const tmp = tempDirPerTest();

/** A report of 1,000 findings with evidence: a JSON document of several chunks. */
function bigReport(): VerifyReport {
  const base = errorReport({ code: 'X', file: '', message: '' }, DEFAULT_OPTIONS);
  delete base.error;
  const findings: Finding[] = Array.from({ length: 1_000 }, (_, i) => ({
    rule: 'adapter-burst',
    severity: 'error',
    message: `user u${i} created 3 adapters \u2028 within 60 s`,
    count: 3,
    first: '2025-11-11T09:45:00.000',
    last: '2025-11-11T09:45:00.040',
    input: 'app.log',
    user: `u${i}`,
    evidence: [1, 2, 3].map((k) => ({ file: `logs/app \ud83d\ude00.log`, line: i * 3 + k })),
    docsUrl: 'docs/rules.md#adapter-burst',
  }));
  return { ...base, verdict: 'fail', exitCode: 1, findings, findingCounts: { error: 1_000, warning: 0, info: 0 } };
}

/** A slow stdout: it takes each write on a later turn and records the most it ever held unwritten. */
class SlowStdout extends Writable {
  text = '';
  mostHeld = 0;
  constructor() {
    super({ highWaterMark: 1024, decodeStrings: false });
  }
  override _write(chunk: string, _encoding: BufferEncoding, done: () => void): void {
    this.mostHeld = Math.max(this.mostHeld, this.writableLength);
    this.text += chunk;
    setImmediate(done);
  }
}

const OPTS = { colour: false, failOn: 'error' as const, rules: [] };

describe('writeReports streams each document', () => {
  it('to stdout, waiting for it to drain: what stdout holds stays near one chunk, and the document is whole', async () => {
    const report = bigReport();
    const stdout = new SlowStdout();
    const failures = await writeReports(report, [{ name: 'json' }], OPTS, stdout);
    expect(failures).toEqual([]);
    expect(stdout.text).toBe(oneStringJson(report));
    expect(stdout.text.length).toBeGreaterThan(4 * JSON_CHUNK_CHARS);
    expect(stdout.mostHeld).toBeLessThan(2 * JSON_CHUNK_CHARS);
  });

  it('to files, the same bytes as on stdout, and an unwritable path costs only its own document', async () => {
    const report = bigReport();
    const blocker = await tmp.file('not-a-folder', '');
    const targets = [
      { name: 'json' as const, path: `${tmp.dir}/out/report.json` },
      { name: 'junit' as const, path: `${blocker}/report.xml` },
      { name: 'text' as const, path: `${tmp.dir}/report.txt` },
    ];
    const failures = await writeReports(report, targets, OPTS, new SlowStdout());
    expect(failures).toEqual([{ target: targets[1], reason: 'ENOTDIR' }]);
    for (const name of ['json', 'text'] as const) {
      const stdout = new SlowStdout();
      await writeReports(report, [{ name }], OPTS, stdout);
      expect(await readFile(targets.find((t) => t.name === name)!.path, 'utf8'), name).toBe(stdout.text);
    }
  });
});
