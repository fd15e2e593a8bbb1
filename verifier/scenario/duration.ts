const UNIT_MS = { ms: 1, s: 1000, m: 60_000 } as const;

/**
 * Parses a duration option such as `10s`, `500ms`, `2m` or a bare number of seconds. Returns undefined
 * for anything else so the caller can name the option in its usage error.
 */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text > 0 ? text * 1000 : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(text);
  if (!match) return undefined;
  const ms = Number(match[1]) * UNIT_MS[(match[2] ?? 's') as keyof typeof UNIT_MS];
  return ms > 0 ? Math.round(ms) : undefined;
}
