import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { stormcheck, tempDirPerTest, type CliResult } from '../support/run-stormcheck.ts';
import { stormcheckInProcess } from '../support/run-cli-in-process.ts';

const FIXTURE = new URL('../../fixtures/logs/docker-churn.log', import.meta.url).pathname;
const COMMANDS = ['mock-broker', 'gateway', 'verify', 'reproduce', 'probe'] as const;
/** What each command needs besides the option under test, so only that option can be the mistake. */
const REQUIRED: Record<(typeof COMMANDS)[number], string[]> = {
  'mock-broker': [],
  gateway: [],
  verify: [FIXTURE],
  reproduce: [],
  probe: ['ws://127.0.0.1:9'],
};

const tmp = tempDirPerTest();

function expectUsageError(result: CliResult, line: RegExp): void {
  expect(result.stdout).toBe('');
  expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(line)]);
  expect(result.code).toBe(2);
}

/** Each option of a command's --help with its text (wrapped lines joined): `[boolean]` ones are switches. */
async function helpOptions(command: string): Promise<{ name: string; line: string; takesValue: boolean }[]> {
  const { stdout } = await stormcheck([command, '--help']);
  const options: { name: string; line: string; takesValue: boolean }[] = [];
  for (const line of stdout.slice(0, stdout.indexOf('Examples:')).split('\n')) {
    const m = /^\s+(?:-\w, )?(--[a-z][a-z-]*)/.exec(line);
    if (m) options.push({ name: m[1]!, line, takesValue: true });
    else if (/^\s{6,}\S/.test(line) && options.length > 0) options.at(-1)!.line += ` ${line.trim()}`;
  }
  for (const o of options) o.takesValue = !/\[boolean\]/.test(o.line);
  return options;
}

describe('a missing value is a usage error, for every option of every command', () => {
  it.each(COMMANDS)('%s: each option of its --help that takes a value, given none, is refused naming it', async (command) => {
    const options = (await helpOptions(command)).filter((o) => o.takesValue);
    expect(options.length).toBeGreaterThan(0);
    // In-process, as main() runs in the built CLI: one spawn per option would take a minute.
    for (const { name } of options) {
      const result = await stormcheckInProcess([command, ...REQUIRED[command], name]);
      expect([name, result.code, result.stderr]).toEqual([name, 2, `stormcheck: ${name} needs a value; see stormcheck ${command} --help\n`]);
    }
  });

  it.each([
    ['gateway', '--port'],
    ['reproduce', '--mode'],
    ['reproduce', '--seed'],
    ['verify', '--reporter'],
    ['verify', '--fail-on'],
    ['verify', '--burst'],
    ['verify', '--window'],
  ] as const)('through the built CLI: %s %s with no value exits 2 and does nothing', async (command, name) => {
    const env = { ...process.env, TMPDIR: tmp.dir };
    const result = await stormcheck([command, ...REQUIRED[command], name], { env, killAfterMs: 10_000 });
    expectUsageError(result, new RegExp(`^stormcheck: ${name} needs a value; see stormcheck ${command} --help$`));
    expect(await readdir(tmp.dir)).toEqual([]);
  });

  it('gateway --port "" (an unset $PORT) is refused rather than binding the default port', async () => {
    expectUsageError(await stormcheck(['gateway', '--port', '', '--admin-port', '0'], { killAfterMs: 5000 }), /^stormcheck: --port needs a value \(it was empty: is a variable unset\?\)/);
  });

  it('an option followed by another option has no value: reproduce --mode --json', async () => {
    expectUsageError(await stormcheck(['reproduce', '--mode', '--json'], { killAfterMs: 5000 }), /^stormcheck: --mode needs a value/);
  });

  it('a negative number is a value, judged by the option itself', async () => {
    expectUsageError(await stormcheck(['reproduce', '--seed', '-1']), /^stormcheck: --seed must be a whole number from 0/);
  });
});

describe('durations take a unit', () => {
  it('verify --window 5 is refused with a hint, not read as 5 ms', async () => {
    expectUsageError(await stormcheck(['verify', FIXTURE, '--window', '5']), /^stormcheck: --window 5 needs a unit: 5ms, 5s, 5m or 5h$/);
  });

  it('reproduce --duration 6 and probe --duration 20 are refused with the same hint', async () => {
    expectUsageError(await stormcheck(['reproduce', '--duration', '6']), /^stormcheck: --duration 6 needs a unit/);
    expectUsageError(await stormcheck(['probe', 'ws://127.0.0.1:9', '--api-key', 'K', '--log', FIXTURE, '--duration', '20']), /^stormcheck: --duration 20 needs a unit/);
  });

  it('verify --window 2m is accepted', async () => {
    expect((await stormcheck(['verify', FIXTURE, '--window', '2m'])).code).toBe(1);
  });

  it.each(['verify', 'reproduce', 'probe'])('%s --help shows the unit of each duration option', async (command) => {
    const durations = (await helpOptions(command)).filter((o) => /--(window|duration)\b/.test(o.name));
    expect(durations.length).toBeGreaterThan(0);
    for (const { line } of durations) expect(line).toMatch(/500ms, 5s, 2m, 1h/);
  });
});

describe('one reporter on stdout', () => {
  it('--reporter junit --reporter json --reporter text is a usage error naming them', async () => {
    expectUsageError(
      await stormcheck(['verify', FIXTURE, '--reporter', 'junit', '--reporter', 'json', '--reporter', 'text']),
      /^stormcheck: only one reporter can write to stdout, got junit, json, text; give the others a file: --reporter NAME=FILE$/,
    );
  });

  it('one on stdout and the others in files is fine', async () => {
    const result = await stormcheck(['verify', FIXTURE, '--reporter', 'text', '--reporter', `json=${tmp.dir}/r.json`]);
    expect(result.code).toBe(1);
    expect(await readdir(tmp.dir)).toEqual(['r.json']);
  });
});

describe('help shows what each command does', () => {
  it('--time-scale is in the help of gateway and reproduce only, and other commands refuse it', async () => {
    for (const command of COMMANDS) {
      const names = (await helpOptions(command)).map((o) => o.name);
      expect([command, names.includes('--time-scale')]).toEqual([command, command === 'gateway' || command === 'reproduce']);
    }
    expectUsageError(await stormcheck(['verify', FIXTURE, '--time-scale', '2']), /^stormcheck: unknown option --time-scale/);
  });

  it('gateway --help says output is pretty on a terminal, not [default: false]', async () => {
    const pretty = (await helpOptions('gateway')).find((o) => o.name === '--pretty')!;
    expect(pretty.line).not.toContain('[default: false]');
    expect(pretty.line).toContain('[default: on a terminal]');
  });

  it('verify --help does not offer [default: []] for the logs it cannot run without', async () => {
    const { stdout } = await stormcheck(['verify', '--help']);
    expect(stdout).not.toContain('[default: []]');
    expect(stdout).toMatch(/paths .*\[default: none: name at least one\]/s);
  });
});
