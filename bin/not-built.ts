import { UsageError } from './cli-error.ts';

/** Handler for a subcommand whose issue has not landed yet: exit 2 and say which issue builds it. */
export function notBuiltYet(command: string, issue: number): () => never {
  return () => {
    throw new UsageError(`'${command}' is not built yet (issue ${issue}); nothing was run.`);
  };
}
