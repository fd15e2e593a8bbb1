import { closest, distance } from 'fastest-levenshtein';

/** Two edits catch a swapped pair (`--prot`); longer names earn one more edit per three letters. */
function maxEdits(typed: string): number {
  return Math.max(2, Math.floor(typed.length / 3));
}

/**
 * Turns one of yargs' validation messages into the single stderr line the CLI prints, with a
 * did-you-mean where one fits: `unknown option --reporterr; did you mean --reporter?`,
 * `--mode bogus is not one of both, legacy, singleton`. Other messages are joined onto one line.
 */
export function usageMessage(message: string, knownOptions: readonly string[], commandLine?: string): string {
  return (
    unknownOptions(message, knownOptions) ??
    invalidChoice(message) ??
    unknownCommand(message) ??
    missingPositional(message, commandLine) ??
    message.replace(/\s*\n\s*/g, '; ').trim()
  );
}

/**
 * yargs' `Not enough non-option arguments: got 0, need at least 1` names neither the command nor the
 * argument; `commandLine` is the command's declaration (`probe <ws-url>`), whose required positionals
 * say what to give.
 */
function missingPositional(message: string, commandLine: string | undefined): string | undefined {
  if (commandLine === undefined || !message.startsWith('Not enough non-option arguments')) return undefined;
  const [name, ...positionals] = commandLine.split(' ');
  const required = positionals.filter((p) => p.startsWith('<'));
  if (required.length === 0) return undefined;
  return `name ${required.join(' ')}, as in: stormcheck ${commandLine} [options] (see stormcheck ${name} --help)`;
}

function unknownOptions(message: string, known: readonly string[]): string | undefined {
  const m = /^Unknown arguments?: (.+)$/.exec(message);
  if (!m) return undefined;
  const unknown = m[1]!.split(', ').map((name) => name.trim());
  const first = unknown[0]!;
  const rest = unknown.length > 1 ? ` (and ${unknown.slice(1).map(flag).join(', ')})` : '';
  return `unknown option ${flag(first)}${rest}${suggest(first, known, flag)} (see --help)`;
}

/** yargs lists every bad choice on its own line; the first is enough to fix and retry. */
function invalidChoice(message: string): string | undefined {
  const m = /Argument: (\S+), Given: (.+?), Choices: (.+)$/m.exec(message);
  if (!m) return undefined;
  const given = unquote(m[2]!);
  const choices = m[3]!.split(', ').map(unquote);
  return `${flag(m[1]!)} ${given} is not one of ${choices.join(', ')}${suggest(given, choices, (c) => c)}`;
}

function unknownCommand(message: string): string | undefined {
  const m = /^Did you mean (.+)\?$/.exec(message);
  return m ? `unknown command; did you mean ${m[1]}? (see --help)` : undefined;
}

function suggest(typed: string, candidates: readonly string[], show: (name: string) => string): string {
  if (candidates.length === 0) return '';
  const best = candidates.find((c) => c.startsWith(typed)) ?? closest(typed, [...candidates]);
  return best.startsWith(typed) || distance(typed, best) <= maxEdits(typed) ? `; did you mean ${show(best)}?` : '';
}

function flag(name: string): string {
  return name.length === 1 ? `-${name}` : `--${name}`;
}

function unquote(text: string): string {
  return text.trim().replace(/^"(.*)"$/, '$1');
}
