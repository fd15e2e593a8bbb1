import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { STORMCHECK_BIN } from '../support/run-stormcheck.ts';

describe('keyword finders', () => {
  it('without WebAssembly (node --jitless) the CLI falls back to native searches and judges every fixture log the same', async () => {
    const verify = async (nodeArgs: string[]) => {
      const run = await promisify(execFile)(process.execPath, [...nodeArgs, STORMCHECK_BIN, 'verify', 'fixtures/logs', '--reporter', 'json'], {
        maxBuffer: 64 << 20,
      }).catch((e: { stdout: string; code: number }) => e);
      const report = JSON.parse(run.stdout) as { exitCode: number; linesRecognised: number; findings: unknown[] };
      return { exitCode: report.exitCode, linesRecognised: report.linesRecognised, findings: report.findings };
    };
    const [simd, native] = await Promise.all([verify([]), verify(['--jitless'])]);
    expect(simd.exitCode).toBe(1);
    expect(simd.linesRecognised).toBeGreaterThan(100);
    expect(native).toEqual(simd);
  });
});
