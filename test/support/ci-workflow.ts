import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';

const WORKFLOW = new URL('../../examples/github-actions.yml', import.meta.url);

export interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, string>;
}

/** Every step of every job in examples/github-actions.yml. */
export async function steps(): Promise<Step[]> {
  const workflow = parse(await readFile(WORKFLOW, 'utf8')) as { jobs: Record<string, { steps: Step[] }> };
  return Object.values(workflow.jobs).flatMap((job) => job.steps);
}

/** The shell words of every `stormcheck …` command in the workflow's run steps. */
export async function stormcheckCommands(): Promise<string[][]> {
  const lines = (await steps()).flatMap((s) => (s.run ?? '').split('\n')).map((l) => l.trim());
  return lines.filter((l) => /^stormcheck\s/.test(l)).map((l) => l.split(/\s+/).slice(1));
}
