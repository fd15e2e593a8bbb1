const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** How help texts name the unit every duration option takes. */
export const DURATION_UNITS = '500ms, 5s, 2m, 1h';

/**
 * Parses a duration with its unit: `500ms`, `60s`, `2m`, `1h`. A bare number is refused (undefined),
 * like anything else that is not one: `--window 5` once meant 5 ms to someone who meant 5 s.
 */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(text);
  if (!m) return undefined;
  const value = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  return Number.isFinite(value) && value > 0 ? Math.round(value) : undefined;
}

/** A duration in the largest unit that keeps it whole: `500ms`, `2s`, `2m`, `1h`. */
export function formatDuration(ms: number): string {
  for (const unit of ['h', 'm', 's'] as const) if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  return `${ms}ms`;
}

/** Whether `text` is a number without a unit, which deserves a hint rather than a plain refusal. */
export function lacksUnit(text: string): boolean {
  return /^\s*\d+(?:\.\d+)?\s*$/.test(text);
}
