import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stormcheck } from '../support/run-stormcheck.ts';

const COMMANDS = ['mock-broker', 'fault', 'gateway', 'verify', 'rules', 'reproduce', 'probe'] as const;
const page = (command: string): string => readFileSync(new URL(`../../docs/${command}.md`, import.meta.url), 'utf8');

/** The long options a command's `--help` lists. */
function helpOptions(help: string): string[] {
  return [...new Set([...help.matchAll(/^\s+(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1]!))];
}

describe('every option a user can type is documented', () => {
  it.each(COMMANDS)('docs/%s.md names every option of its --help', async (command) => {
    const { code, stdout } = await stormcheck([command, '--help']);
    expect(code).toBe(0);
    const options = helpOptions(stdout);
    expect(options).toEqual(expect.arrayContaining(['--help']));
    // --help and --version are the CLI's own, documented once in the CLI contract.
    const own = options.filter((o) => !['--help', '--version'].includes(o));
    expect(own.filter((o) => !page(command).includes(o))).toEqual([]);
  });
});
