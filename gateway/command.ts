import type { CommandModule } from 'yargs';
import { notBuiltYet } from '../bin/not-built.ts';

export const gatewayCommand: CommandModule = {
  command: 'gateway',
  describe: 'Run the reference gateway (OpenAlgo client protocol, one AngelOne adapter per user)',
  handler: notBuiltYet('gateway', 3),
};
