import type { CommandModule } from 'yargs';
import { notBuiltYet } from '../bin/not-built.ts';

export const verifyCommand: CommandModule = {
  command: 'verify [paths..]',
  describe: 'Read OpenAlgo or gateway logs and fail when they show more than one adapter per user',
  handler: notBuiltYet('verify', 4),
};
