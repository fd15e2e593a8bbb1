import type { CommandModule } from 'yargs';
import { notBuiltYet } from '../bin/not-built.ts';

export const probeCommand: CommandModule = {
  command: 'probe <ws-url>',
  describe: 'Drive a live OpenAlgo-protocol WebSocket endpoint with storm traffic and judge the outcome',
  handler: notBuiltYet('probe', 5),
};
