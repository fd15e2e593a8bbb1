import { UsageError } from './usage-error.ts';

/**
 * Every option declared `type: 'number'` arrives as NaN when the user typed something else; this
 * finds the text they typed so the error says `got 'abc'`, for every command's options at once.
 */
export function rejectNonNumbers(
  argv: Record<string, unknown>,
  numberKeys: readonly string[],
  aliases: Record<string, readonly string[]>,
  rawArgs: readonly string[],
): void {
  for (const key of numberKeys) {
    const value = argv[key];
    const values = Array.isArray(value) ? value : [value];
    if (!values.some((v) => typeof v === 'number' && Number.isNaN(v))) continue;
    const names = [key, ...(aliases[key] ?? [])];
    throw new UsageError(`--${key} must be a number, got '${typedText(names, rawArgs) ?? String(value)}'`);
  }
}

function typedText(names: readonly string[], rawArgs: readonly string[]): string | undefined {
  for (let i = 0; i < rawArgs.length; i++) {
    for (const name of names) {
      const flag = name.length === 1 ? `-${name}` : `--${name}`;
      const token = rawArgs[i]!;
      if (token === flag) return rawArgs[i + 1] ?? '';
      if (token.startsWith(`${flag}=`)) return token.slice(flag.length + 1);
    }
  }
  return undefined;
}
