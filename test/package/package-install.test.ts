import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;

describe('the repository', () => {
  it('.gitignore ignores no tracked file', async () => {
    const { stdout } = await run('git', ['ls-files', '--cached', '--ignored', '--exclude-standard'], { cwd: ROOT });
    expect(stdout).toBe('');
  });
});
