/**
 * Writes progress lines to stderr only when a person is watching: never in pipes
 * (docs/architecture.md#cli-contract).
 */
export function progressOnTty(): ((line: string) => void) | undefined {
  return process.stderr.isTTY ? (line) => process.stderr.write(`${line}\n`) : undefined;
}
