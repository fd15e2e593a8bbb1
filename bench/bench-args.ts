/** Options the benchmarks read from `npm run bench -- …` (the runner passes them through). */

/** `--name N` as a positive integer, or `fallback`. */
export function intOption(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

/** `--name VALUE` as given, or undefined. */
export function stringOption(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/** `--profile-gateway DIR`: node flags that make the gateway's process write a CPU profile into DIR. */
export function gatewayProfileArgv(args: string[]): string[] {
  const i = args.indexOf('--profile-gateway');
  const dir = i >= 0 ? args[i + 1] : undefined;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}
