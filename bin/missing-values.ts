import { UsageError } from '../contract/usage-error.ts';

/** What the parser knows of one command's options: every name, and which of them are switches. */
export interface DeclaredOptions {
  key: Record<string, unknown>;
  boolean: readonly string[];
  count: readonly string[];
  alias: Record<string, readonly string[]>;
}

/**
 * yargs gives an option typed without its value its default (`gateway --port` bound 8765), and so does
 * an empty one (`--port "$PORT"` with PORT unset). Every option that takes a value, of every command,
 * must be followed by one: a non-empty word that is not itself an option (`-1` and `-` are values).
 * Throws a UsageError naming the first option left without one.
 */
export function rejectMissingValues(rawArgs: readonly string[], options: DeclaredOptions, command: string | undefined): void {
  const switches = new Set([...options.boolean, ...options.count]);
  for (const name of [...switches]) for (const alias of options.alias[name] ?? []) switches.add(alias);
  for (let i = 0; i < rawArgs.length; i++) {
    const token = rawArgs[i]!;
    if (token === '--') return;
    const m = /^--?([^=]+)(=(.*))?$/s.exec(token);
    if (!m || !looksLikeOption(token)) continue;
    const name = m[1]!;
    if (!(name in options.key) || switches.has(name)) continue;
    const value = m[2] === undefined ? rawArgs[i + 1] : m[3];
    if (value === undefined || value === '' || (m[2] === undefined && looksLikeOption(value))) {
      const dash = name.length === 1 ? '-' : '--';
      const help = command === undefined ? 'stormcheck --help' : `stormcheck ${command} --help`;
      throw new UsageError(`${dash}${name} needs a value${value === '' ? ' (it was empty: is a variable unset?)' : ''}; see ${help}`);
    }
    if (m[2] === undefined) i++;
  }
}

function looksLikeOption(token: string): boolean {
  return token.startsWith('-') && token !== '-' && !/^-\d/.test(token);
}
