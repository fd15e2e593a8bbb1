import v8 from 'node:v8';

/**
 * V8 versions whose heap knows the two flags below (Node 20, 22 and 24). On another, nothing is set:
 * V8 would print an error for an unknown flag in the middle of a report.
 */
const KNOWN_V8_MAJORS = [11, 12, 13];

/**
 * Keeps `stormcheck verify`'s heap near what it holds (docs/benchmarks.md#verify-memory). Left to its
 * defaults, V8 lets the heap grow to several times its live state between full collections and grows
 * the young generation to 32 MB; a verify run holds little but makes garbage on every line, so the
 * peak was mostly garbage. These flags only change when V8 collects, never how much it may hold, so a
 * run that needs more memory still gets it.
 */
export function keepHeapLean(): void {
  if (!KNOWN_V8_MAJORS.includes(Number(process.versions.v8.split('.')[0]))) return;
  // The young generation stays at its first size instead of doubling up to 16 MB a semi-space.
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  // After a full collection the old generation may grow by a fifth of what survived, not double.
  v8.setFlagsFromString('--heap-growing-percent=20');
}
