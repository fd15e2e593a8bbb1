import type { LogRecord } from './log-record.ts';
import { isoToEpoch, syslogToEpoch, yymmddToEpoch } from './timestamp.ts';

// Unanchored so deployment prefixes (docker compose `name  | `, cloud `…Z stdout F `) need no stripping.
// OpenAlgo's default: `[%(asctime)s] %(levelname)s in %(module)s: %(message)s`, asctime `YYYY-MM-DD HH:MM:SS,mmm`.
const OPENALGO =
  /\[(\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d)(?:[.,](\d{1,9}))?(Z|[+-]\d\d:?\d\d)?\]\s+([A-Za-z]+)\s+in\s+([\w.<>-]+):\s?(.*)$/;
// logzero, as the SmartAPI SDK configures it: `[I 251111 09:45:49 smartWebSocketV2:123] message`.
const LOGZERO = /\[([DIWEC]) (\d{6}) (\d\d:\d\d:\d\d)(?:[.,]\d+)? ([\w.<>-]+):(\d+)\]\s?(.*)$/;
// Any other ISO-like timestamp (older OpenAlgo formats, `.mmm`, `T`, no brackets, cloud prefixes).
const GENERIC = /(\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d)(?:[.,](\d{1,9}))?(Z|[+-]\d\d:?\d\d)?\]?(.*)$/;
// What usually sits between a timestamp and the message: separators, a level, a logger or module name.
const LEAD =
  /^[\s\]|:-]*(?:\[?(DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL|TRACE)\]?)?(?:[\s|:-]+(?:in\s+)?([\w.<>-]+)(?::|\s+-\s+))?\s*/;
const LEAD_LEVEL_LAST = /^[\s\]|:-]*([\w.<>-]+)\s+-\s+(DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL)\s+-\s+/;
// journald / syslog: `Nov 11 09:45:49 host openalgo[1234]: message` (no year in the line).
const SYSLOG = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d\d:\d\d:\d\d) \S+ [^\s:]+:\s?(.*)$/;
const LOGZERO_LEVELS = { D: 'DEBUG', I: 'INFO', W: 'WARNING', E: 'ERROR', C: 'CRITICAL' } as const;

/**
 * Reads one text log line (ANSI codes already stripped) in any shape whose timestamp and message can
 * be found; `year` dates syslog lines that carry none. Returns undefined when no timestamp is found.
 */
export function parseTextLine(text: string, year: number): LogRecord | undefined {
  let m = OPENALGO.exec(text);
  if (m) {
    const time = isoToEpoch(m[1], m[2], m[3]);
    if (time !== undefined) return { time, zoned: m[3] !== undefined, level: m[4].toUpperCase(), module: m[5], message: m[6] };
  }
  m = LOGZERO.exec(text);
  if (m) {
    const time = yymmddToEpoch(m[2], m[3]);
    if (time !== undefined) {
      return { time, zoned: false, level: LOGZERO_LEVELS[m[1] as keyof typeof LOGZERO_LEVELS], module: m[4], message: m[6] };
    }
  }
  const sys = SYSLOG.exec(text);
  if (sys) {
    // journald wraps the application's own line; its inner timestamp, when present, is the better one.
    const inner = parseTextLine(sys[4], year);
    if (inner) return inner;
    const time = syslogToEpoch(sys[1], sys[2], sys[3], year);
    if (time !== undefined) return { time, zoned: false, message: sys[4] };
  }
  m = GENERIC.exec(text);
  if (m) {
    const time = isoToEpoch(m[1], m[2], m[3]);
    if (time === undefined) return undefined;
    return { time, zoned: m[3] !== undefined, ...splitLead(m[4]) };
  }
  return undefined;
}

function splitLead(rest: string): { level?: string; module?: string; message: string } {
  const last = LEAD_LEVEL_LAST.exec(rest);
  if (last) return { module: last[1], level: last[2], message: rest.slice(last[0].length) };
  const lead = LEAD.exec(rest);
  if (!lead) return { message: rest.trim() };
  return { level: lead[1], module: lead[2], message: rest.slice(lead[0].length) };
}
