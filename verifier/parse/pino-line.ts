import type { LogRecord } from './log-record.ts';
import { isoToEpoch } from './timestamp.ts';

const PINO_LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARNING', 50: 'ERROR', 60: 'CRITICAL' };

/**
 * Reads a pino JSON line (any pino log: `time`, `level`, `msg`; the gateway adds `event`, `user`,
 * `broker`), or a line of OpenAlgo's `log/errors.jsonl` (`ts`, `level`, `logger`, `module`, `message`).
 * The JSON may follow a deployment prefix, so it is taken from the first `{"`.
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
  const errorSink = obj.time === undefined && typeof obj.ts === 'string' && typeof obj.logger === 'string';
  const time = errorSink ? readErrorSinkTime(obj.ts as string) : readTime(obj.time);
  if (time === undefined) return undefined;
  const record: LogRecord = {
    time: time.ms,
    zoned: time.zoned,
    level: typeof obj.level === 'number' ? (PINO_LEVELS[obj.level] ?? String(obj.level)) : String(obj.level).toUpperCase(),
    module: typeof obj.name === 'string' ? obj.name : typeof obj.module === 'string' ? obj.module : undefined,
    message: msg,
    user: stringField(obj.user ?? obj.userId ?? obj.user_id),
    broker: stringField(obj.broker),
    event: stringField(obj.event),
  };
  if (errorSink) record.errorSink = true;
  return record;
}

/** `errors.jsonl` writes Python's naive `YYYY-MM-DD HH:MM:SS`, read as UTC like every naive time. */
function readErrorSinkTime(ts: string): { ms: number; zoned: boolean } | undefined {
  const m = /^(\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d)(?:[.,](\d{1,9}))?$/.exec(ts);
  const ms = m ? isoToEpoch(m[1], m[2], undefined) : undefined;
  return ms === undefined ? undefined : { ms, zoned: false };
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
