import { isUtf8 } from 'node:buffer';

const NL = 0x0a;

/**
 * How many of the complete lines in buf[start, end) are not valid UTF-8 (their text is read with
 * U+FFFD in place of the bad bytes, so the report says how many). The whole region is validated
 * natively first; only a region that fails is walked line by line, which log text almost never needs.
 */
export function undecodableLines(buf: Buffer, start: number, end: number): number {
  if (isUtf8(buf.subarray(start, end))) return 0;
  let n = 0;
  let s = start;
  while (s <= end) {
    let nl = buf.indexOf(NL, s);
    if (nl < 0 || nl > end) nl = end;
    if (!isUtf8(buf.subarray(s, nl))) n++;
    s = nl + 1;
  }
  return n;
}
