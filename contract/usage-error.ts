/** Exit codes shared by every subcommand (docs/architecture.md#cli-contract). */
export const EXIT = { ok: 0, findings: 1, usage: 2 } as const;

/**
 * A usage or input problem the user can fix: the CLI prints `message` on one line of stderr and exits 2.
 * Thrown by any subcommand; the message must say what to do.
 */
export class UsageError extends Error {
  readonly code = 'USAGE';
}
