import os from 'node:os';

/** The machine a benchmark ran on and its load when it started, for the line printed above every table. */
export function machineLine(): string {
  const cpus = os.cpus();
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  return `machine: ${cpus.length} cores, ${cpus[0]?.model.trim() ?? 'unknown CPU'}, node ${process.version}, ${os.platform()} ${os.release()}, load average ${load}`;
}
