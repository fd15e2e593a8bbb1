import type { Thresholds } from './rule.ts';

/**
 * Each threshold's name as the user writes it: the verify option (`--window`) and the key under a
 * rule's `thresholds` in stormcheck.config.json. `duration` ones are written with units (`60s`).
 */
export const THRESHOLD_NAMES = {
  windowMs: { name: 'window', duration: true },
  burst: { name: 'burst', duration: false },
  storm: { name: 'storm', duration: false },
  zombieReconnect: { name: 'zombie-reconnect', duration: false },
  forcedReconnect: { name: 'forced-reconnect', duration: false },
  staleFeed: { name: 'stale-feed', duration: false },
  eventLoopStall: { name: 'event-loop-stall', duration: false },
} as const satisfies Record<keyof Thresholds, { name: string; duration: boolean }>;

/** A threshold's value as the user writes it: `60s`, `500ms`, `2m`, or the count. */
export function thresholdText(key: keyof Thresholds, value: number): string {
  if (!THRESHOLD_NAMES[key].duration) return String(value);
  if (value % 60_000 === 0 && value >= 120_000) return `${value / 60_000}m`;
  if (value % 1000 === 0) return `${value / 1000}s`;
  return `${value}ms`;
}
