import type { LiveCounts } from '../traffic/traffic-runner.ts';

export interface ProbeProgress {
  phase: (line: string) => void;
  live: (counts: LiveCounts) => void;
}

/**
 * Progress for a person watching stderr (docs/architecture.md#cli-contract: never in pipes): one line per
 * phase, and while traffic runs one counter line rewritten in place. Undefined when stderr is not a TTY.
 */
export function probeProgressOnTty(stream: NodeJS.WriteStream = process.stderr): ProbeProgress | undefined {
  if (!stream.isTTY) return undefined;
  let counterShown = false;
  return {
    phase: (line) => {
      stream.write(`${counterShown ? '\n' : ''}${line}\n`);
      counterShown = false;
    },
    live: (counts) => {
      stream.write(`\r  clients connected ${counts.connected}, ticks ${counts.marketData}, refusals ${counts.refusals}\x1b[K`);
      counterShown = true;
    },
  };
}
