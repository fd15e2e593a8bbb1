import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';

const EXAMPLES = new URL('../../examples/', import.meta.url);
const WORKFLOW = 'github-actions.yml';

export interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, string>;
}

interface Workflow {
  env?: Record<string, string>;
  jobs: Record<string, { steps: Step[] }>;
}

async function workflow(file: string): Promise<Workflow> {
  return parse(await readFile(new URL(file, EXAMPLES), 'utf8')) as Workflow;
}

/** Every step of every job in an examples/ workflow (examples/github-actions.yml unless named). */
export async function steps(file = WORKFLOW): Promise<Step[]> {
  return Object.values((await workflow(file)).jobs).flatMap((job) => job.steps);
}

/** The shell words of every `stormcheck …` command in the workflow's run steps. */
export async function stormcheckCommands(file = WORKFLOW): Promise<string[][]> {
  const lines = (await steps(file)).flatMap((s) => (s.run ?? '').split('\n')).map((l) => l.trim());
  return lines.filter((l) => /^stormcheck\s/.test(l)).map((l) => l.split(/\s+/).slice(1));
}

/** What one step did when the workflow ran locally. */
export interface StepRun {
  step: Step;
  outcome: 'success' | 'failure' | 'skipped';
  /** Combined output of a run step. */
  output: string;
}

/**
 * Runs a workflow's single job the way the Actions runner would, in order, in `workdir`: each `run:`
 * step with `bash -e` and the workflow's env (overridden by `env`), `$GITHUB_PATH` lines added to PATH
 * for later steps, `$GITHUB_STEP_SUMMARY` and `$RUNNER_TEMP` set, and `if:` honoured for the
 * conditions the examples use (`!cancelled()`, `always()`, none = only after success). `uses:` steps
 * are not run; they are returned so the caller can check what they would upload.
 */
export async function runWorkflowLocally(file: string, workdir: string, env: Record<string, string>): Promise<StepRun[]> {
  const wf = await workflow(file);
  const githubPath = path.join(workdir, '.github-path');
  const summary = path.join(workdir, '.github-step-summary.md');
  await writeFile(githubPath, '');
  await writeFile(summary, '');
  const runs: StepRun[] = [];
  let failed = false;
  for (const step of Object.values(wf.jobs)[0]!.steps) {
    const condition = (step.if ?? '').replace(/^\$\{\{\s*|\s*\}\}$/g, '');
    const wanted = condition === '' ? !failed : ['!cancelled()', 'always()'].includes(condition) ? true : condition === 'failure()' ? failed : undefined;
    if (wanted === undefined) throw new Error(`${file}: step "${step.name ?? step.uses}" has an if: this runner does not know: ${step.if}`);
    if (!wanted || step.run === undefined) {
      runs.push({ step, outcome: wanted ? 'success' : 'skipped', output: '' });
      continue;
    }
    const extraPath = (await readFile(githubPath, 'utf8')).split('\n').filter(Boolean).reverse();
    const stepEnv = {
      ...process.env,
      ...wf.env,
      ...env,
      PATH: [...extraPath, process.env.PATH].join(path.delimiter),
      GITHUB_PATH: githubPath,
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_WORKSPACE: workdir,
      RUNNER_TEMP: path.join(workdir, '.runner-temp'),
    };
    const { code, output } = await bash(step.run, workdir, stepEnv);
    if (code !== 0) failed = true;
    runs.push({ step, outcome: code === 0 ? 'success' : 'failure', output });
  }
  return runs;
}

function bash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-e', '-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.on('error', reject);
    // 'exit', not 'close': a server the step started in the background may hold an inherited pipe.
    child.on('exit', (code) => resolve({ code: code ?? -1, output }));
  });
}
