import { BACKOFF_FLOOR_MS } from '../../contract/backoff-floor.ts';
import type { Thresholds } from '../types.ts';

/** How a threshold's value is written: a whole number, or a duration with its unit (`60s`). */
export type ThresholdUnit = 'count' | 'duration';

/** One threshold of the built-in rules: its name (`--threshold NAME=VALUE` and the config key), the rules it tunes, its default. */
export interface ThresholdSpec {
  key: keyof Thresholds;
  name: string;
  rules: readonly string[];
  unit: ThresholdUnit;
  default: number;
  /** The option of its own that also sets it, where it has one (`--burst`). */
  option?: string;
  describe: string;
}

/**
 * Every threshold of the built-in rules, each declared once (docs/rules.md#thresholds). The rules read
 * them from {@link Thresholds}; this list is what a user, a config file or `stormcheck rules` can name.
 */
export const THRESHOLD_SPECS = [
  { key: 'windowMs', name: 'window', rules: ['adapter-burst', 'adapter-churn', 'connect-unanswered'], unit: 'duration', default: 60_000, option: 'window', describe: 'the window of bursts, churn and unanswered attempts' },
  { key: 'burst', name: 'burst', rules: ['adapter-burst'], unit: 'count', default: 2, option: 'burst', describe: 'adapter creations per user allowed within the window' },
  { key: 'storm', name: 'storm', rules: ['connect-storm'], unit: 'count', default: 5, option: 'storm', describe: 'fresh connection attempts within the storm span that make a storm' },
  { key: 'stormSpanMs', name: 'storm-span', rules: ['connect-storm'], unit: 'duration', default: 1_000, describe: 'the span in which storm attempts are counted' },
  { key: 'refusalPairMs', name: 'refusal-pair', rules: ['broker-429'], unit: 'duration', default: 1_000, describe: 'two distinct connection-limit refusals of one user closer than this are an error' },
  { key: 'retryFloorMs', name: 'retry-floor', rules: ['retry-after-refusal'], unit: 'duration', default: BACKOFF_FLOOR_MS, describe: 'a handshake of one user dialled sooner than this after a 429 refusal is an error' },
  { key: 'refusalRate', name: 'refusal-rate', rules: ['broker-429', 'connect-unanswered'], unit: 'count', default: 30, describe: 'refused or unanswered handshakes of one user within one minute that make an error' },
  { key: 'tokensPerConnection', name: 'tokens-per-connection', rules: ['broker-429', 'connect-unanswered'], unit: 'count', default: 1_000, describe: 'tokens one upstream connection carries: a refusal while the user holds the connections its tokens need is an error' },
  { key: 'answerMs', name: 'answer-time', rules: ['connect-unanswered'], unit: 'duration', default: 10_000, describe: 'how long an attempt may wait for its "Connected" line' },
  { key: 'unanswered', name: 'unanswered', rules: ['connect-unanswered'], unit: 'count', default: 3, describe: 'unanswered attempts within the window that fire the rule' },
  { key: 'churn', name: 'churn', rules: ['adapter-churn'], unit: 'count', default: 3, describe: 'teardown-then-create cycles within the window that fire the rule' },
  { key: 'zombieReconnect', name: 'zombie-reconnect', rules: ['zombie-reconnect'], unit: 'count', default: 1, option: 'zombie-reconnect', describe: 'SDK retries after teardown, or interleaved retries, per broker' },
  { key: 'forcedReconnect', name: 'forced-reconnect', rules: ['forced-reconnect'], unit: 'count', default: 3, option: 'forced-reconnect', describe: 'watchdog-forced reconnects per user within the forced-reconnect span that make them periodic (an error)' },
  { key: 'forcedReconnectSpanMs', name: 'forced-reconnect-span', rules: ['forced-reconnect'], unit: 'duration', default: 15 * 60_000, describe: 'the span in which forced reconnects are counted' },
  { key: 'staleFeed', name: 'stale-feed', rules: ['stale-feed'], unit: 'count', default: 1, option: 'stale-feed', describe: 'stale-feed lines per user that fire the rule' },
  { key: 'eventLoopStall', name: 'event-loop-stall', rules: ['event-loop-stall'], unit: 'count', default: 1, option: 'event-loop-stall', describe: 'thread-join timeouts per user that fire the rule' },
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
