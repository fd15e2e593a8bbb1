import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { stormcheckCommands } from '../support/ci-workflow.ts';
import { stormcheck, tempDir } from '../support/run-stormcheck.ts';

const INCIDENT = new URL('../../fixtures/logs/incident.log', import.meta.url).pathname;

describe('examples/github-actions.yml', () => {
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
