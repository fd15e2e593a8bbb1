import type { Thresholds } from '../types.ts';

/** How a threshold's value is written: a whole number, or a duration with its unit (`60s`). */
export type ThresholdUnit = 'count' | 'duration';

/** One threshold of the built-in rules: its name (the option and the config key), the rules it tunes, its default. */
export interface ThresholdSpec {
  key: keyof Thresholds;
  name: string;
  rules: readonly string[];
  unit: ThresholdUnit;
  default: number;
  /** The verify option that sets it (`--burst`). */
  option?: string;
  describe: string;
}

/**
 * Every threshold of the built-in rules, each declared once. The rules read them from
 * {@link Thresholds}; this list is what a user, a config file or `stormcheck rules` can name.
 */
export const THRESHOLD_SPECS = [
  { key: 'windowMs', name: 'window', rules: ['adapter-burst', 'adapter-churn', 'connect-unanswered'], unit: 'duration', default: 60_000, option: 'window', describe: 'the window of bursts, churn and unanswered attempts' },
  { key: 'burst', name: 'burst', rules: ['adapter-burst'], unit: 'count', default: 2, option: 'burst', describe: 'adapter creations per user allowed within the window' },
  { key: 'storm', name: 'storm', rules: ['connect-storm'], unit: 'count', default: 5, option: 'storm', describe: 'fresh connection attempts within 1 s that make a storm' },
  { key: 'zombieReconnect', name: 'zombie-reconnect', rules: ['zombie-reconnect'], unit: 'count', default: 1, option: 'zombie-reconnect', describe: 'SDK retries after teardown, or counter regressions, per broker' },
  { key: 'forcedReconnect', name: 'forced-reconnect', rules: ['forced-reconnect'], unit: 'count', default: 3, option: 'forced-reconnect', describe: 'watchdog-forced reconnects per user' },
  { key: 'staleFeed', name: 'stale-feed', rules: ['stale-feed'], unit: 'count', default: 1, option: 'stale-feed', describe: 'stale-feed lines per user' },
  { key: 'eventLoopStall', name: 'event-loop-stall', rules: ['event-loop-stall'], unit: 'count', default: 1, option: 'event-loop-stall', describe: 'thread-join timeouts per user' },
] as const satisfies readonly ThresholdSpec[];

/** The default value of every threshold. */
export const DEFAULT_THRESHOLDS = Object.fromEntries(THRESHOLD_SPECS.map((s) => [s.key, s.default])) as unknown as Thresholds;

/** The thresholds out of anything that carries them (the verify options). */
export function thresholdsOf(o: Thresholds): Thresholds {
  return Object.fromEntries(THRESHOLD_SPECS.map((s) => [s.key, o[s.key]])) as unknown as Thresholds;
}

/** The threshold named `name`, or undefined. */
export function thresholdNamed(name: string): ThresholdSpec | undefined {
  return THRESHOLD_SPECS.find((s) => s.name === name);
}
