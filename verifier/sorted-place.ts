/**
 * Where `time` goes among `times[head..]` (sorted), after any equal to it, by binary search: the end,
 * at once, for the usual value in order; a late one costs a logarithm, not a walk back.
 */
export function placeFor(times: readonly number[], head: number, time: number): number {
  let lo = head;
  let hi = times.length;
  if (hi === lo || times[hi - 1] <= time) return hi;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid] <= time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// Dropped entries are compacted away once they are this many and over half the list.
const COMPACT_AT = 1024;

/**
 * Whether a time-ordered list read from `head` should drop the entries before it: once they are 1,024
 * and over half the list, so each entry is copied a bounded number of times.
 */
export function timeToCompact(head: number, length: number): boolean {
  return head >= COMPACT_AT && head * 2 > length;
}
