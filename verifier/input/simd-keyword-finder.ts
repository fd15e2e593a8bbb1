import { readFileSync } from 'node:fs';
import type { KeywordFinder } from './keyword-finder.ts';

/** Where keyword-scan.wat expects its tables, the text and the zero padding after it. */
const TABLES = 0;
const TEXT = 128;
const PADDING = 48;
/** The prefilter compares the first three bytes of every keyword, in eight buckets. */
const FINGERPRINT = 3;
const BUCKETS = 8;
const PAGE = 65536;

let compiled: WebAssembly.Module | null | undefined;

/** The compiled prefilter, or null where WebAssembly or its SIMD extension is unavailable. */
function prefilterModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  const bytes = readFileSync(new URL('./keyword-scan.wasm', import.meta.url));
  compiled = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  return compiled;
}

export function simdAvailable(): boolean {
  return prefilterModule() !== null;
}

/**
 * One SIMD pass over the text marks the positions whose first three bytes may begin a keyword
 * (keyword-scan.wat says how); only those positions are compared with the keywords. The pass costs
 * the same for any number of keywords, where native searches cost one pass each.
 */
export class SimdKeywordFinder implements KeywordFinder {
  private readonly memory: WebAssembly.Memory;
  private readonly scan: (n: number, out: number) => number;
  /** Keywords by their first byte, for the comparison at a candidate. */
  private readonly byFirstByte: Uint8Array[][] = Array.from({ length: 256 }, () => []);
  private bytes: Uint8Array;
  private hits = new Int32Array(1024);

  constructor(keywords: readonly string[]) {
    const module = prefilterModule();
    if (!module) throw new Error('WebAssembly SIMD is not available in this runtime');
    const instance = new WebAssembly.Instance(module);
    this.memory = instance.exports.memory as WebAssembly.Memory;
    this.scan = instance.exports.scan as (n: number, out: number) => number;
    this.bytes = new Uint8Array(this.memory.buffer);
    const buckets = new Map<number, number>();
    for (const keyword of keywords) {
      const kw = Buffer.from(keyword, 'latin1');
      if (kw.length < FINGERPRINT || kw.some((b) => b < 0x10)) {
        throw new Error(`keyword ${JSON.stringify(keyword)}: the SIMD prefilter needs at least ${FINGERPRINT} bytes, none below 0x10`);
      }
      this.byFirstByte[kw[0]!]!.push(kw);
      // Keywords that share a first byte share a bucket, so their nibbles combine into few false candidates.
      if (!buckets.has(kw[0]!)) buckets.set(kw[0]!, buckets.size % BUCKETS);
      const bit = 1 << buckets.get(kw[0]!)!;
      for (let j = 0; j < FINGERPRINT; j++) {
        this.bytes[TABLES + 32 * j + (kw[j]! & 15)] |= bit;
        this.bytes[TABLES + 32 * j + 16 + (kw[j]! >> 4)] |= bit;
      }
    }
  }

  find(buf: Buffer, start: number, end: number): Int32Array {
    const n = end - start;
    const out = (TEXT + n + PADDING + 3) & ~3;
    this.reserve(out + 4 * n);
    const bytes = this.bytes;
    bytes.set(buf.subarray(start, end), TEXT);
    bytes.fill(0, TEXT + n, TEXT + n + PADDING);
    const count = this.scan(n, out);
    const candidates = new Uint32Array(this.memory.buffer, out, count);
    if (this.hits.length < count) this.hits = new Int32Array(count);
    let found = 0;
    for (let c = 0; c < count; c++) {
      const p = candidates[c]!;
      for (const kw of this.byFirstByte[bytes[TEXT + p]!]!) {
        if (p + kw.length <= n && matchesAt(bytes, TEXT + p, kw)) {
          this.hits[found++] = start + p;
          break;
        }
      }
    }
    return this.hits.subarray(0, found);
  }

  private reserve(size: number): void {
    const missing = Math.ceil((size - this.memory.buffer.byteLength) / PAGE);
    if (missing <= 0) return;
    this.memory.grow(missing);
    this.bytes = new Uint8Array(this.memory.buffer);
  }
}

function matchesAt(bytes: Uint8Array, at: number, kw: Uint8Array): boolean {
  for (let k = 1; k < kw.length; k++) if (bytes[at + k] !== kw[k]) return false;
  return true;
}
