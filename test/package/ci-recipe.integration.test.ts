import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { stormcheck, tempDir } from '../support/run-stormcheck.ts';

const WORKFLOW = new URL('../../examples/github-actions.yml', import.meta.url);
const INCIDENT = new URL('../../fixtures/logs/incident.log', import.meta.url).pathname;

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, string>;
}

async function steps(): Promise<Step[]> {
  const workflow = parse(await readFile(WORKFLOW, 'utf8')) as { jobs: Record<string, { steps: Step[] }> };
  return Object.values(workflow.jobs).flatMap((job) => job.steps);
}

/** The shell words of every `stormcheck …` command in the workflow's run steps. */
async function stormcheckCommands(): Promise<string[][]> {
  const lines = (await steps()).flatMap((s) => (s.run ?? '').split('\n')).map((l) => l.trim());
  return lines.filter((l) => /^stormcheck\s/.test(l)).map((l) => l.split(/\s+/).slice(1));
}

describe('examples/github-actions.yml', () => {
  it('checks out, sets up Node and installs the package from a git URL or tarball, never a bare npx', async () => {
    const all = await steps();
    expect(all.map((s) => s.uses?.split('@')[0])).toEqual(expect.arrayContaining(['actions/checkout', 'actions/setup-node', 'actions/upload-artifact']));
    const runs = all.map((s) => s.run ?? '').join('\n');
    expect(runs).toMatch(/npm install .*"\$STORMCHECK_PACKAGE"/);
    expect(runs).not.toMatch(/\bnpx\b/);
  });

  it('uploads the reports unless the run was cancelled, so a failing verify still leaves them', async () => {
    const upload = (await steps()).find((s) => s.uses?.startsWith('actions/upload-artifact'));
    expect(upload?.if).toBe('${{ !cancelled() }}');
    expect(upload?.with?.path?.split('\n').filter(Boolean)).toEqual(['stormcheck.xml', 'stormcheck.json']);
  });

  it('runs one verify step whose command and options the built CLI knows', async () => {
    const commands = await stormcheckCommands();
    expect(commands.map((words) => words[0])).toEqual(['verify']);
    const { code, stdout } = await stormcheck(['verify', '--help']);
    expect(code).toBe(0);
    const words = commands[0]!;
    for (const option of words.filter((w) => w.startsWith('--'))) expect(stdout).toContain(`${option} `);
    const reporters = words.flatMap((w, i) => (words[i - 1] === '--reporter' ? [w.split('=')[0]!] : []));
    expect(reporters).toEqual(['github', 'junit', 'json']);
    for (const name of reporters) expect(stdout).toMatch(new RegExp(`report format.*\\b${name}\\b`, 's'));
  });

  it('its verify step, run on the incident log, fails the job and still writes annotations, JUnit and JSON', async () => {
    const words = (await stormcheckCommands())[0]!.map((w) => (w === '"$STORMCHECK_LOGS"' ? INCIDENT : w));
    const tmp = await tempDir();
    try {
      const { code, stdout } = await stormcheck(words, { cwd: tmp.dir });

      expect(code).toBe(1);
      expect(stdout).toMatch(/^::error /m);
      expect(await readFile(`${tmp.dir}/stormcheck.xml`, 'utf8')).toContain('<testsuite');
      expect(JSON.parse(await readFile(`${tmp.dir}/stormcheck.json`, 'utf8'))).toHaveProperty('findings');
    } finally {
      await tmp.cleanup();
    }
  });
});
