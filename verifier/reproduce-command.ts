import type { CommandModule } from 'yargs';
import { notBuiltYet } from '../bin/not-built.ts';

export const reproduceCommand: CommandModule = {
  command: 'reproduce',
  describe: 'Reproduce the storm: legacy vs singleton registry against the embedded mock broker',
  handler: notBuiltYet('reproduce', 5),
};
