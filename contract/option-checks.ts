import { UsageError } from './usage-error.ts';
import { parseDuration } from './duration.ts';

/** A whole number in [min, max], or a UsageError naming the option. */
export function wholeNumberOption(name: string, value: unknown, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got '${String(value)}'`);
  }
  return n;
}

/** A duration such as `10s`, `500ms`, `1m` within [minMs, maxMs], or a UsageError naming the option. */
export function durationOption(name: string, value: unknown, minMs: number, maxMs: number): number {
  const ms = parseDuration(String(value));
  if (ms === undefined || ms < minMs || ms > maxMs) {
    throw new UsageError(`--${name} must be a duration from ${minMs / 1000}s to ${maxMs / 1000}s such as 10s or 500ms, got '${String(value)}'`);
  }
  return ms;
}

/** A TCP port, 0 (any free port) to 65535, or a UsageError naming the option. */
export function portOption(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new UsageError(`--${name} must be an integer port 0–65535, got ${value}`);
  return value;
}

/** A whole number with no upper bound (counts, milliseconds), or a UsageError naming the option. */
export function countOption(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got ${value}`);
  return value;
}
