import type { DestinationStream } from 'pino';
import { OpenAlgoModule } from './openalgo-log.ts';

/** `--log-format`: pino JSON lines (default) or OpenAlgo's own text format. */
export const LOG_FORMATS = ['json', 'openalgo'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

const PYTHON_LEVEL: Record<number, string> = { 10: 'DEBUG', 20: 'DEBUG', 30: 'INFO', 40: 'WARNING', 50: 'ERROR', 60: 'CRITICAL' };
const LOGZERO_LEVEL: Record<number, string> = { 10: 'D', 20: 'D', 30: 'I', 40: 'W', 50: 'E', 60: 'C' };
/** Lines of the gateway's own that name no OpenAlgo module (the singleton registry, client events). */
const DEFAULT_MODULE = 'stormcheck';

interface Record_ {
  time?: number;
  level?: number;
  msg?: string;
  module?: string;
  sdkLine?: number;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * One pino JSON line as OpenAlgo would have printed it: its app log format
 * `[YYYY-MM-DD HH:MM:SS,mmm] LEVEL in module: message`, or for the SDK's lines logzero's
 * `[L yymmdd HH:MM:SS smartWebSocketV2:LINE] message`, both in local time as Python prints them.
 */
export function formatOpenAlgoLine(json: string): string | undefined {
  let record: Record_;
  try {
    record = JSON.parse(json) as Record_;
  } catch {
    return undefined;
  }
  if (typeof record.msg !== 'string') return undefined;
  const at = new Date(record.time ?? Date.now());
  const level = record.level ?? 30;
  const clock = `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
  if (record.module === OpenAlgoModule.sdk) {
    const date = `${pad(at.getFullYear() % 100)}${pad(at.getMonth() + 1)}${pad(at.getDate())}`;
    return `[${LOGZERO_LEVEL[level] ?? 'I'} ${date} ${clock} ${OpenAlgoModule.sdk}:${record.sdkLine ?? 0}] ${record.msg}`;
  }
  const date = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
  return `[${date} ${clock},${pad(at.getMilliseconds(), 3)}] ${PYTHON_LEVEL[level] ?? 'INFO'} in ${record.module ?? DEFAULT_MODULE}: ${record.msg}`;
}

/** A pino destination that rewrites each JSON line into OpenAlgo's text format before passing it on. */
export function openAlgoTextDestination(target: { write(chunk: string): unknown }): DestinationStream {
  return {
    write(chunk: string) {
      const out: string[] = [];
      for (const line of chunk.split('\n')) {
        if (!line) continue;
        const text = formatOpenAlgoLine(line);
        if (text !== undefined) out.push(`${text}\n`);
      }
      if (out.length > 0) target.write(out.join(''));
    },
  };
}
