import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { STORMCHECK_BIN, tempDirPerTest } from '../support/run-stormcheck.ts';

const ROOT = new URL('../..', import.meta.url).pathname;

export interface Example {
  command: string;
  /** A transcript (`$ command` then its output) shows what the command prints; a plain example shows none. */
  output?: string;
  line: number;
}

/** Subcommands that serve until stopped, need a deployment, or run for half a minute: shown, not run. */
const NOT_RUN = /^stormcheck\s+(gateway|mock-broker|probe|reproduce)\b(?!.*\s--help\b)/;

/**
 * The stormcheck commands of a Markdown document, `npx` prefixes dropped: every command line of a
 * ```sh block, and every `$ ` line of a transcript in any other fenced block. Output, tables and
 * synopses with placeholders belong in blocks of another language (`text`), where only `$ ` lines run.
 */
export function stormcheckExamples(markdown: string): Example[] {
  const examples: Example[] = [];
  const lines = markdown.split('\n');
  let fence: { shell: boolean } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const opening = /^\s*```\s*(\w*)/.exec(line);
    if (opening) {
      fence = fence ? undefined : { shell: ['sh', 'bash', 'shell'].includes(opening[1]!) };
      continue;
    }
    if (!fence) continue;
    let text = line.trim();
    const transcript = text.startsWith('$ ');
    if (transcript) text = text.slice(2);
    else if (!fence.shell) continue;
    while (text.endsWith('\\') && i + 1 < lines.length) text = `${text.slice(0, -1).trim()} ${lines[++i]!.trim()}`;
    const command = text
      .replace(/\s+#\s.*$/, '')
      .replace(/^npx\s+(--no-install\s+)?stormcheck\b/, 'stormcheck')
      .trim();
    if (!/^stormcheck(\s|$)/.test(command)) continue;
    let output: string | undefined;
    if (transcript) {
      const shown: string[] = [];
      while (i + 1 < lines.length && !/^\s*(\$ |```)/.test(lines[i + 1]!)) shown.push(lines[++i]!);
      output = shown.join('\n').trim();
    }
    examples.push({ command, output, line: i + 1 });
  }
  return examples;
}

const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const runnable = stormcheckExamples(readme).filter((e) => !NOT_RUN.test(e.command));

describe('README command examples run as written', () => {
  const tmp = tempDirPerTest();

  it('finds examples to run', () => {
    expect(runnable.length).toBeGreaterThan(3);
  });

  it.each(runnable.map((e) => [e.command, e] as const))('%s', (_command, example) => {
    // The fixtures the examples name, linked into a folder of their own so a report an example writes lands
    // there; `stormcheck` on PATH is the built CLI, as after an install.
    symlinkSync(path.join(ROOT, 'fixtures'), path.join(tmp.dir, 'fixtures'));
    symlinkSync(path.join(ROOT, 'examples'), path.join(tmp.dir, 'examples'));
    writeFileSync(path.join(tmp.dir, 'stormcheck'), `#!/bin/sh\nexec node ${STORMCHECK_BIN} "$@"\n`);
    chmodSync(path.join(tmp.dir, 'stormcheck'), 0o755);
    const run = spawnSync('bash', ['-o', 'pipefail', '-c', example.command], {
      cwd: tmp.dir,
      env: { ...process.env, PATH: `${tmp.dir}:${process.env.PATH}`, NO_COLOR: '1', COLUMNS: '110' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    const printed = `${run.stdout}${run.stderr}`.trim();
    if (example.output !== undefined) {
      expect(printed, `README.md:${example.line}`).toBe(example.output);
    } else {
      // 1 is a verdict only with a report on stdout; a shell that cannot run the line exits 1 or 127 with none.
      expect([0, 1], `README.md:${example.line}: ${run.stderr}`).toContain(run.status);
      if (run.status === 1) expect(run.stdout.trim(), `README.md:${example.line}: ${run.stderr}`).not.toBe('');
    }
  });
});

describe('the example finder', () => {
  it('reads plain lines, npx prefixes, continuations and transcripts, and nothing outside fences', () => {
    const markdown = [
      'stormcheck verify outside.log',
      '```sh',
      'npx stormcheck verify a.log    # comment',
      'npx --no-install stormcheck --version',
      'stormcheck verify b.log \\',
      '  --reporter json',
      'npm test',
      '```',
      '```text',
      '$ stormcheck verfy x',
      'stormcheck: unknown command',
      'stormcheck verify   2.01   (a table row, not a command)',
      '$ stormcheck --version',
      '0.1.0',
      '```',
    ].join('\n');

    expect(stormcheckExamples(markdown)).toEqual([
      { command: 'stormcheck verify a.log', output: undefined, line: 3 },
      { command: 'stormcheck --version', output: undefined, line: 4 },
      { command: 'stormcheck verify b.log --reporter json', output: undefined, line: 6 },
      { command: 'stormcheck verfy x', output: 'stormcheck: unknown command\nstormcheck verify   2.01   (a table row, not a command)', line: 12 },
      { command: 'stormcheck --version', output: '0.1.0', line: 14 },
    ]);
  });
});
