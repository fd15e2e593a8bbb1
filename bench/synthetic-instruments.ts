import type { Instrument } from '../gateway/index.ts';

/** First token of the synthetic range; far from the real NSE tokens of the bundled master. */
const FIRST_TOKEN = 900_001;

/**
 * A scrip master of `count` NSE equities (`BENCH0001`…), for benchmarks that need more instruments than
 * the bundled NIFTY 50 master has.
 */
export function syntheticInstruments(count: number): Instrument[] {
  return Array.from({ length: count }, (_, i) => {
    const symbol = syntheticSymbol(i);
    return { token: String(FIRST_TOKEN + i), symbol, name: symbol, exch_seg: 'NSE' };
  });
}

/** The OpenAlgo symbol of the i-th synthetic instrument (exchange NSE). */
export function syntheticSymbol(i: number): string {
  return `BENCH${String(i + 1).padStart(4, '0')}`;
}
