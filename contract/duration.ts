const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/**
 * Parses a duration such as `500ms`, `60s`, `2m`, `1h` or a bare number of milliseconds.
 * Returns undefined for anything else, so the caller can name the option that was wrong.
 */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m) return undefined;
  const value = Number(m[1]) * UNIT_MS[(m[2] ?? 'ms') as keyof typeof UNIT_MS];
  return Number.isFinite(value) && value > 0 ? Math.round(value) : undefined;
}
