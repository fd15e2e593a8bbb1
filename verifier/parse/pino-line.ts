import type { LogRecord } from './log-record.ts';

const PINO_LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARNING', 50: 'ERROR', 60: 'CRITICAL' };

/**
 * Reads a pino JSON line (any pino log: `time`, `level`, `msg`; the gateway adds `event`, `user`,
 * `broker`). The JSON may follow a deployment prefix, so it is taken from the first `{"`.
 */
export function parsePinoLine(text: string): LogRecord | undefined {
  const start = text.indexOf('{"');
  if (start < 0) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text.slice(start));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const obj = value as Record<string, unknown>;
  const msg = obj.msg ?? obj.message;
  if (typeof msg !== 'string' || obj.level === undefined) return undefined;
  const time = readTime(obj.time);
  if (time === undefined) return undefined;
  return {
    time: time.ms,
    zoned: time.zoned,
    level: typeof obj.level === 'number' ? (PINO_LEVELS[obj.level] ?? String(obj.level)) : String(obj.level).toUpperCase(),
    module: typeof obj.name === 'string' ? obj.name : undefined,
    message: msg,
    user: stringField(obj.user ?? obj.userId ?? obj.user_id),
    broker: stringField(obj.broker),
    event: stringField(obj.event),
  };
}

function readTime(time: unknown): { ms: number; zoned: boolean } | undefined {
  // pino's default is epoch ms; `stdTimeFunctions.unixTime` writes seconds (below 1e11 until the year 5138).
  if (typeof time === 'number' && Number.isFinite(time)) return { ms: time < 1e11 ? time * 1000 : time, zoned: true };
  if (typeof time === 'string') {
    const ms = Date.parse(time);
    if (Number.isFinite(ms)) return { ms, zoned: /(?:Z|[+-]\d\d:?\d\d)$/.test(time) };
  }
  return undefined;
}

function stringField(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : typeof v === 'number' ? String(v) : undefined;
}
