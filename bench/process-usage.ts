/** CPU and memory of the current process, sampled so two samples give CPU use over a window. */
export interface UsageSample {
  /** Wall clock of the sample, ms. */
  at: number;
  cpuUserMicros: number;
  cpuSystemMicros: number;
  rssBytes: number;
  /** Peak resident set size of the process so far. */
  maxRssBytes: number;
}

export function sampleUsage(): UsageSample {
  const cpu = process.cpuUsage();
  return {
    at: Date.now(),
    cpuUserMicros: cpu.user,
    cpuSystemMicros: cpu.system,
    rssBytes: process.memoryUsage.rss(),
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

/** CPU time between two samples as a percentage of one core (100 = one core fully busy). */
export function cpuPercent(from: UsageSample, to: UsageSample): number {
  const wallMs = to.at - from.at;
  return wallMs > 0 ? (100 * cpuMillis(from, to)) / wallMs : 0;
}

/** CPU time (user + system) between two samples, in ms. */
export function cpuMillis(from: UsageSample, to: UsageSample): number {
  return (to.cpuUserMicros + to.cpuSystemMicros - from.cpuUserMicros - from.cpuSystemMicros) / 1000;
}
