import type { Argv, CommandModule } from 'yargs';

/**
 * yargs lays examples out in two columns and wraps a long command in the middle, so a copied example
 * breaks. Each example becomes its description as a `#` line above the command, both full width.
 */
export function withFullWidthExamples(command: CommandModule): CommandModule {
  const build = command.builder;
  if (typeof build !== 'function') return command;
  return {
    ...command,
    builder: (yargs: Argv) => {
      const example = yargs.example.bind(yargs) as (cmd: string, description: string) => Argv;
      const twoLines = (cmd: string, description?: string) => {
        if (description) example(`# ${description}`, '');
        return example(cmd, '');
      };
      return build(Object.assign(yargs, { example: twoLines }) as Argv) as Argv;
    },
  };
}
