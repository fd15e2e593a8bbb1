import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { stormcheck } from '../support/run-stormcheck.ts';

const EXAMPLES = ['github-actions-e2e.yml', 'gitlab-ci.yml', 'compose.yaml'];
const COMMANDS = ['mock-broker', 'gateway', 'probe', 'verify'];
const text = (file: string) => readFile(new URL(`../../examples/${file}`, import.meta.url), 'utf8');

/** Each `stormcheck <command> …` in a file, with the options it passes (up to a redirection or `&&`). */
async function invocations(file: string): Promise<{ command: string; options: string[] }[]> {
  const found = [...(await text(file)).matchAll(/\bstormcheck (mock-broker|gateway|probe|verify)\b([^\n>&|]*)/g)];
  return found.map((m) => ({ command: m[1]!, options: [...m[2]!.matchAll(/(?<=\s)--[a-z][a-z-]*/g)].map((o) => o[0]) }));
}

describe('the CI recipe examples', () => {
  it.each(EXAMPLES)('%s parses and uses only commands and options the CLI has', async (file) => {
    parse(await text(file));
    const calls = (await invocations(file)).filter((c) => !file.startsWith('compose') || c.command === 'mock-broker');
    expect(calls.length).toBeGreaterThan(0);
    const help = new Map<string, string>();
    for (const command of COMMANDS) help.set(command, (await stormcheck([command, '--help'])).stdout);
    for (const { command, options } of calls) for (const o of options) expect(help.get(command), `${file}: stormcheck ${command} ${o}`).toContain(`${o} `);
  });

  it('the GitLab job keeps its reports when it fails and publishes the JUnit report', async () => {
    const job = (parse(await text('gitlab-ci.yml')) as Record<string, { artifacts: { when: string; paths: string[]; reports: { junit: string } } }>)['stormcheck-e2e']!;
    expect(job.artifacts.when).toBe('always');
    expect(job.artifacts.paths).toEqual(['reports/']);
    expect(job.artifacts.reports.junit).toBe('reports/stormcheck.xml');
  });

  it("compose.yaml runs the mock on 443 under AngelOne's host name, with OpenAlgo on the same network", async () => {
    const compose = parse(await text('compose.yaml')) as { services: Record<string, { networks?: { default: { aliases: string[] } }; depends_on?: string[]; command?: string[] }> };
    expect(Object.keys(compose.services)).toEqual(['mock-broker', 'openalgo']);
    expect(compose.services['mock-broker']!.networks!.default.aliases).toEqual(['smartapisocket.angelone.in']);
    expect(compose.services['mock-broker']!.command!.join(' ')).toMatch(/mock-broker --tls --host 0\.0\.0\.0 --port 443 --limit 3/);
    expect(compose.services.openalgo!.depends_on).toEqual(['mock-broker']);
  });
});
