import { access, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.ts';
import { runWorkflowLocally, steps, type StepRun } from '../support/ci-workflow.ts';
import { tempDirPerTest } from '../support/run-stormcheck.ts';
import { schemaErrors } from '../support/sarif-validation.ts';

const WORKFLOW = 'github-actions-e2e.yml';
const PACKAGE = new URL('../../', import.meta.url).pathname;
const tmp = tempDirPerTest();

/** Runs the workflow's steps in order in a fresh folder, with this checkout as the package and short probes. */
async function runRecipe(overrides: Record<string, string> = {}): Promise<StepRun[]> {
  await mkdir(path.join(tmp.dir, '.runner-temp'));
  return runWorkflowLocally(WORKFLOW, tmp.dir, {
    STORMCHECK_PACKAGE: PACKAGE,
    MOCK_PORT: String(await freePort()),
    DEPLOYMENT_PORT: String(await freePort()),
    DEPLOYMENT_ADMIN_PORT: String(await freePort()),
    PROBE_DURATION: '4s',
    ...overrides,
  });
}

/** The files the upload steps would publish (upload-artifact's paths and upload-sarif's file). */
function uploads(runs: StepRun[]): string[] {
  return runs.flatMap(({ step }) => [...(step.with?.path ?? '').split('\n'), step.with?.sarif_file ?? ''].filter(Boolean));
}

const named = (runs: StepRun[], prefix: string) => runs.find((r) => (r.step.name ?? '').startsWith(prefix))!;

// Two whole runs of the recipe (install, two servers, a 4 s probe, verify) on a loaded 2-core machine.
describe(`examples/${WORKFLOW}, run locally step by step`, { timeout: 120_000 }, () => {
  afterEach(async () => {
    // A run cut short (a timeout) leaves its servers up: stop them by the pids the workflow wrote.
    for (const name of ['deployment.pid', 'mock-broker.pid']) {
      const pid = await readFile(path.join(tmp.dir, 'reports', name), 'utf8').catch(() => undefined);
      if (pid === undefined) continue;
      try {
        process.kill(Number(pid), 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
  });

  it('with the reference gateway: every step passes and the reports it uploads are there and valid', async () => {
    const runs = await runRecipe();
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

  it('when the probe step fails, verify still runs, the servers stop and the reports are still uploaded', async () => {
    // An API key the deployment does not know: the probe cannot authenticate and exits 2, every time.
    const runs = await runRecipe({ STORMCHECK_API_KEY: 'not-a-known-key' });
    const before = runs.filter((r) => r.outcome !== 'success').map((r) => `${r.step.name ?? r.step.uses}: ${r.outcome}\n${r.output}`).join('\n');
    expect(named(runs, 'Probe').outcome, before).toBe('failure');
    expect(named(runs, 'Verify').outcome).not.toBe('skipped');
    expect(named(runs, 'Stop').outcome).toBe('success');
    for (const r of runs.filter((r) => r.step.uses?.includes('upload'))) expect(r.outcome).toBe('success');
    for (const f of uploads(runs)) await access(path.join(tmp.dir, f));
    expect(await readFile(path.join(tmp.dir, 'reports/stormcheck-summary.md'), 'utf8')).toMatch(/^## stormcheck verify: (PASS|FAIL)/);
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
