import { access, mkdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runWorkflowLocally, steps, type StepRun } from '../support/ci-workflow.ts';
import { tempDirPerTest } from '../support/run-stormcheck.ts';
import { schemaErrors } from '../support/sarif-validation.ts';

const WORKFLOW = 'github-actions-e2e.yml';
const PACKAGE = new URL('../../', import.meta.url).pathname;
const tmp = tempDirPerTest();

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Runs the workflow's steps in order in a fresh folder, with this checkout as the package and short probes. */
async function runRecipe(registry: string): Promise<StepRun[]> {
  await mkdir(path.join(tmp.dir, '.runner-temp'));
  return runWorkflowLocally(WORKFLOW, tmp.dir, {
    STORMCHECK_PACKAGE: PACKAGE,
    MOCK_PORT: String(await freePort()),
    DEPLOYMENT_PORT: String(await freePort()),
    DEPLOYMENT_ADMIN_PORT: String(await freePort()),
    DEPLOYMENT_REGISTRY: registry,
    PROBE_DURATION: '4s',
  });
}

/** The files the upload steps would publish (upload-artifact's paths and upload-sarif's file). */
function uploads(runs: StepRun[]): string[] {
  return runs.flatMap(({ step }) => [...(step.with?.path ?? '').split('\n'), step.with?.sarif_file ?? ''].filter(Boolean));
}

const named = (runs: StepRun[], prefix: string) => runs.find((r) => (r.step.name ?? '').startsWith(prefix))!;

describe(`examples/${WORKFLOW}, run locally step by step`, () => {
  it('with the reference gateway: every step passes and the reports it uploads are there and valid', async () => {
    const runs = await runRecipe('singleton');
    for (const r of runs) expect(r.outcome, `${r.step.name ?? r.step.uses}\n${r.output}`).toBe('success');
    const files = uploads(runs);
    expect(files).toEqual(expect.arrayContaining(['reports/stormcheck.sarif', 'reports/stormcheck.xml', 'reports/stormcheck-summary.md', 'reports/probe.json']));
    for (const f of files) await access(path.join(tmp.dir, f));
    expect(await schemaErrors(JSON.parse(await readFile(path.join(tmp.dir, 'reports/stormcheck.sarif'), 'utf8')))).toEqual([]);
    expect(await readFile(path.join(tmp.dir, 'reports/stormcheck.xml'), 'utf8')).toMatch(/<testsuite name="stormcheck verify" tests="\d+" failures="0"/);
    expect(await readFile(path.join(tmp.dir, 'reports/stormcheck-summary.md'), 'utf8')).toContain('## stormcheck verify: PASS');
    expect(JSON.parse(await readFile(path.join(tmp.dir, 'reports/probe.json'), 'utf8'))).toHaveProperty('schemaVersion', 1);
    expect(await readFile(path.join(tmp.dir, '.github-step-summary.md'), 'utf8')).toContain('## stormcheck verify: PASS');
  });

  it("with OpenAlgo 2025's registry: the gate fails, yet verify runs, the servers stop and the reports are still uploaded", async () => {
    const runs = await runRecipe('legacy-2025');
    // Which of the two sees the churn first depends on timing; the job fails either way.
    const gate = [named(runs, 'Probe'), named(runs, 'Verify')];
    expect(gate.map((r) => r.outcome)).toContain('failure');
    expect(named(runs, 'Verify').outcome).not.toBe('skipped');
    expect(named(runs, 'Stop').outcome).toBe('success');
    for (const r of runs.filter((r) => r.step.uses?.includes('upload'))) expect(r.outcome).toBe('success');
    for (const f of uploads(runs)) await access(path.join(tmp.dir, f));
    const verdict = named(runs, 'Verify').outcome === 'failure' ? 'FAIL' : 'PASS';
    expect(await readFile(path.join(tmp.dir, 'reports/stormcheck-summary.md'), 'utf8')).toContain(`## stormcheck verify: ${verdict}`);
    await expect(access(path.join(tmp.dir, 'reports/deployment.pid'))).rejects.toThrow();
  });

  it('uploads SARIF with upload-sarif and every report with upload-artifact, unless cancelled', async () => {
    const all = await steps(WORKFLOW);
    const sarif = all.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif'));
    const artifact = all.find((s) => s.uses?.startsWith('actions/upload-artifact'));
    expect(sarif?.if).toBe('${{ !cancelled() }}');
    expect(artifact?.if).toBe('${{ !cancelled() }}');
    expect(artifact?.with?.path).toContain(sarif!.with!.sarif_file);
  });
});
