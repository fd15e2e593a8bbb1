import os from 'node:os';

/** The machine a benchmark ran on, for the line printed above every table. */
export function machineLine(): string {
  const cpus = os.cpus();
  return `machine: ${cpus.length} cores, ${cpus[0]?.model.trim() ?? 'unknown CPU'}, node ${process.version}, ${os.platform()} ${os.release()}`;
}
