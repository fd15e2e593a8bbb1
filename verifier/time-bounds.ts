import { parseDuration } from '../contract/duration.ts';
import { isoToEpoch } from './parse/timestamp.ts';

/** A `--since`/`--until` value: an absolute time, or a duration before the newest line read. */
export type TimeBound = { at: number } | { beforeNewest: number };

const ISO = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2})(?::(\d{2}))?(?:[.,](\d+))?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses `2026-01-05`, `2026-01-05T09:15`, `2026-01-05 09:15:30.250+05:30` or a duration with its
 * unit (`90m`, `2h`). A time without a zone is read as the log's naive times are (as UTC), so it
 * compares with them as written. Undefined for anything else.
 */
export function parseTimeBound(text: string): TimeBound | undefined {
  const t = text.trim();
  if (/^\d+(\.\d+)?(ms|s|m|h)$/.test(t)) {
    const ms = parseDuration(t);
    return ms === undefined ? undefined : { beforeNewest: ms };
  }
  const m = ISO.exec(t);
  if (!m) return undefined;
  const at = isoToEpoch(`${m[1]} ${m[2] ?? '00:00'}:${m[3] ?? '00'}`, m[4], m[5]);
  return at === undefined ? undefined : { at };
}

/** The absolute window, given the newest line's time when a bound is relative to it. */
export function resolveBounds(since: TimeBound | undefined, until: TimeBound | undefined, newest: number): { since?: number; until?: number } {
  const at = (b: TimeBound | undefined) => (b === undefined ? undefined : 'at' in b ? b.at : newest - b.beforeNewest);
  return { since: at(since), until: at(until) };
}

/** Whether a bound needs the newest line's time. */
export function isRelative(b: TimeBound | undefined): boolean {
  return b !== undefined && 'beforeNewest' in b;
}
