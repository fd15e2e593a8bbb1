const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/**
 * Epoch ms of a `YYYY-MM-DD[ T]HH:MM:SS[,.]fff` timestamp with an optional zone (`Z`, `+05:30`, `+0530`).
 * A naive timestamp is read as UTC: windows only need times relative to each other.
 */
export function isoToEpoch(date: string, fraction: string | undefined, zone: string | undefined): number | undefined {
  const y = Number(date.slice(0, 4));
  const mo = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  const h = Number(date.slice(11, 13));
  const mi = Number(date.slice(14, 16));
  const s = Number(date.slice(17, 19));
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  const ms = fraction ? Math.floor(Number(`0.${fraction}`) * 1000) : 0;
  let time = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    time -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0)) * 60_000;
  }
  return Number.isFinite(time) ? time : undefined;
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
