import { UsageError } from './usage-error.ts';
import { formatDuration, lacksUnit, parseDuration } from './duration.ts';

/**
 * A whole number from `min` (to `max`, when the option has one), or a UsageError naming the option:
 * every command's counts, ports, seeds and millisecond options say the same thing when wrong.
 */
export function wholeNumberOption(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (typeof value === 'boolean' || value === '' || value === null || !Number.isInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`--${name} must be a whole number ${range}, got '${String(value)}'`);
  }
  return n;
}

/**
 * A duration with its unit (`500ms`, `10s`, `2m`, `1h`) within [minMs, maxMs], or a UsageError naming
 * the option. Every command's duration options come through here, so all of them take units alike.
 */
export function durationOption(name: string, value: unknown, minMs: number, maxMs: number): number {
  const text = String(value);
  if (lacksUnit(text)) {
    const n = text.trim();
    throw new UsageError(`--${name} ${n} needs a unit: ${n}ms, ${n}s, ${n}m or ${n}h`);
  }
  const ms = parseDuration(text);
  if (ms === undefined || ms < minMs || ms > maxMs) {
    throw new UsageError(`--${name} must be a duration from ${formatDuration(minMs)} to ${formatDuration(maxMs)} such as 10s or 500ms, got '${text}'`);
  }
  return ms;
}

/** A TCP port; 0 asks for any free one. */
export function portOption(name: string, value: unknown): number {
  return wholeNumberOption(name, value, 0, 65535);
}

/**
 * `[HOST:]PORT` (`9464`, `0.0.0.0:9464`, `[::]:9464`), or a UsageError naming the option. Without a
 * host it is `defaultHost`: a server that says more than it should is opened to the network on request.
 */
export function hostPortOption(name: string, value: unknown, defaultHost = '127.0.0.1'): { host: string; port: number } {
  const text = String(value ?? '');
  const m = /^(?:\[([^\]]+)\]:|([^:]+):)?([^:]+)$/.exec(text);
  if (!m || text === '') throw new UsageError(`--${name} takes [HOST:]PORT such as 9464 or 0.0.0.0:9464, got '${text}'`);
  return { host: m[1] ?? m[2] ?? defaultHost, port: portOption(name, m[3]) };
}
