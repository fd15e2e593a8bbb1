import { describe, expect, it } from 'vitest';
import { rejectMissingValues } from '../../bin/missing-values.ts';

const OPTIONS = {
  key: { port: true, output: true, follow: true, f: true, help: true, o: true },
  boolean: ['follow', 'help'],
  count: [],
  alias: { follow: ['f'], output: ['o'] },
};
const check = (args: string[]) => () => rejectMissingValues(args, OPTIONS, 'verify');

describe('an option that takes a value must get one', () => {
  it('refuses it missing at the end, empty, or followed by another option, naming the option', () => {
    expect(check(['--port'])).toThrow('--port needs a value; see stormcheck verify --help');
    expect(check(['--port', ''])).toThrow('--port needs a value (it was empty: is a variable unset?); see stormcheck verify --help');
    expect(check(['--port=', 'x'])).toThrow(/--port needs a value \(it was empty/);
    expect(check(['--output', '--follow'])).toThrow('--output needs a value');
    expect(check(['-o'])).toThrow('-o needs a value');
  });

  it('accepts values that start with a dash only as a number, stdin, or after =', () => {
    for (const args of [['--port', '-1'], ['--output', '-'], ['--output=--odd-name'], ['--port', '0', 'file']]) expect(check(args)).not.toThrow();
  });

  it('leaves switches, unknown options (strict mode names those) and everything after -- alone', () => {
    for (const args of [['--follow'], ['-f', '--help'], ['--no-follow'], ['--prot'], ['--', '--port']]) expect(check(args)).not.toThrow();
  });
});
