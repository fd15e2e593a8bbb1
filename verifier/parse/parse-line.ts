import { stripAnsi } from './ansi.ts';
import type { LogRecord } from './log-record.ts';
import { parsePinoLine } from './pino-line.ts';
import { parseTextLine } from './text-line.ts';

/** `--format`: OpenAlgo's text, the gateway's pino JSON, or decided per line. */
export type LogFormat = 'auto' | 'openalgo' | 'pino';

/**
 * Reads one line in the chosen format; `auto` decides per line (a JSON object is pino, anything else
 * is text), so one input may mix the gateway's JSON with OpenAlgo's text.
 */
export function parseLine(raw: string, format: LogFormat, year: number): LogRecord | undefined {
  const text = stripAnsi(raw);
  if (format !== 'openalgo' && text.includes('{"')) {
    const pino = parsePinoLine(text);
    if (pino || format === 'pino') return pino;
  }
  return format === 'pino' ? undefined : parseTextLine(text, year);
}
