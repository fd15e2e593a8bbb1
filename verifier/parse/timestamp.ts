const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** Milliseconds of every three-digit fraction, as `fractionMs` computes them (the common log shape). */
const MS_OF_THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => fractionMs(String(i).padStart(3, '0')));

/**
 * Consecutive records share their second: the epoch of the last date-and-time read is kept, so a run
 * of lines in one second parses its date once.
 */
let lastDate = '';
let lastSecond = 0;

/**
 * Epoch ms of a `YYYY-MM-DD[ T]HH:MM:SS[,.]fff` timestamp with an optional zone (`Z`, `+05:30`, `+0530`).
 * A naive timestamp is read as UTC: windows only need times relative to each other.
 */
export function isoToEpoch(date: string, fraction: string | undefined, zone: string | undefined): number | undefined {
  const second = date === lastDate ? lastSecond : secondOf(date);
  if (second === undefined) return undefined;
  const ms = fraction ? (MS_OF_THREE_DIGITS[threeDigits(fraction)] ?? fractionMs(fraction)) : 0;
  let time = second + ms;
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    time -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0)) * 60_000;
  }
  return Number.isFinite(time) ? time : undefined;
}

/** Epoch ms of the whole second a `YYYY-MM-DD[ T]HH:MM:SS` names, or undefined when a field is out of range. */
function secondOf(date: string): number | undefined {
  const y = Number(date.slice(0, 4));
  const mo = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  const h = Number(date.slice(11, 13));
  const mi = Number(date.slice(14, 16));
  const s = Number(date.slice(17, 19));
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  const second = Date.UTC(y, mo - 1, d, h, mi, s);
  if (!Number.isFinite(second)) return undefined;
  lastDate = date;
  lastSecond = second;
  return second;
}

/** The value of a fraction of exactly three ASCII digits, else -1. */
function threeDigits(fraction: string): number {
  if (fraction.length !== 3) return -1;
  const a = fraction.charCodeAt(0) - 0x30;
  const b = fraction.charCodeAt(1) - 0x30;
  const c = fraction.charCodeAt(2) - 0x30;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 && c >= 0 && c <= 9 ? a * 100 + b * 10 + c : -1;
}

function fractionMs(fraction: string): number {
  return Math.floor(Number(`0.${fraction}`) * 1000);
}

/** Epoch ms of logzero's `YYMMDD HH:MM:SS` (SmartAPI SDK lines); years are 20YY. */
export function yymmddToEpoch(yymmdd: string, hms: string): number | undefined {
  return isoToEpoch(`20${yymmdd.slice(0, 2)}-${yymmdd.slice(2, 4)}-${yymmdd.slice(4, 6)} ${hms}`, undefined, undefined);
}

/** Epoch ms of a syslog/journald `Mon DD HH:MM:SS`, which has no year: the caller supplies one. */
export function syslogToEpoch(month: string, day: string, hms: string, year: number): number | undefined {
  const mo = MONTHS.indexOf(month as (typeof MONTHS)[number]);
  if (mo < 0) return undefined;
  return isoToEpoch(`${year}-${String(mo + 1).padStart(2, '0')}-${day.padStart(2, '0')} ${hms}`, undefined, undefined);
}
