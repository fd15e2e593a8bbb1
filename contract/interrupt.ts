/** Exit code of a run stopped by a signal: 128 + the signal's number, as a shell reports it. */
export const INTERRUPTED_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

export type StopSignal = keyof typeof INTERRUPTED_EXIT;

/** Undoes part of a run when it is interrupted: removes a temporary folder, prints the partial result. */
export type InterruptCleanup = (signal: StopSignal) => void | Promise<void>;

/** The seams a test replaces: where the line goes, and how the process ends. */
export interface InterruptIo {
  process: Pick<NodeJS.Process, 'once' | 'off' | 'exit'>;
  writeLine: (line: string) => void;
}

const PROCESS_IO: InterruptIo = {
  process,
  writeLine: (line) => process.stderr.write(`${line}\n`),
};

/** For a server, whose normal stop is a signal: resolves with the first SIGINT or SIGTERM. */
export function untilStopSignal(): Promise<StopSignal> {
  return new Promise((resolve) => {
    const stop = (signal: StopSignal) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/**
 * Makes SIGINT and SIGTERM stop a run that would otherwise finish by itself (verify on files,
 * reproduce, probe): one line on stderr saying what was interrupted (`what()` at that moment), the
 * cleanups newest first, then exit 130 or 143. Servers and sockets close with the process. Returns
 * `{ onInterrupt, dispose }`: `onInterrupt` registers a cleanup and returns its unregistration.
 */
export function exitOnInterrupt(command: string, what: () => string, io: InterruptIo = PROCESS_IO) {
  const cleanups: InterruptCleanup[] = [];
  const stop = async (signal: StopSignal) => {
    dispose();
    io.writeLine(`stormcheck ${command}: interrupted by ${signal} ${what()}`);
    for (const cleanup of [...cleanups].reverse()) {
      try {
        await cleanup(signal);
      } catch (err) {
        io.writeLine(`stormcheck ${command}: while stopping: ${(err as Error).message}`);
      }
    }
    io.process.exit(INTERRUPTED_EXIT[signal]);
  };
  const onInt = () => void stop('SIGINT');
  const onTerm = () => void stop('SIGTERM');
  io.process.once('SIGINT', onInt);
  io.process.once('SIGTERM', onTerm);
  function dispose(): void {
    io.process.off('SIGINT', onInt);
    io.process.off('SIGTERM', onTerm);
  }
  return {
    onInterrupt(cleanup: InterruptCleanup): () => void {
      cleanups.push(cleanup);
      return () => {
        const at = cleanups.indexOf(cleanup);
        if (at >= 0) cleanups.splice(at, 1);
      };
    },
    dispose,
  };
}
