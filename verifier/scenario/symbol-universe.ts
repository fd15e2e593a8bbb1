import { readFile } from 'node:fs/promises';
import type { Instrument } from '../../gateway/types.ts';
import type { SymbolRef } from '../../gateway/openalgo/protocol.ts';
import type { SymbolUniverse } from './traffic-plan.ts';

const BUNDLED_INSTRUMENTS = new URL('../../fixtures/instruments.json', import.meta.url);

/** Splits an instrument master into index underlyings and NSE equities, in OpenAlgo's symbol naming. */
export function symbolUniverse(instruments: Instrument[]): SymbolUniverse {
  const underlyings: SymbolRef[] = [];
  const equities: SymbolRef[] = [];
  for (const instrument of instruments) {
    if (instrument.exch_seg === 'NSE_INDEX' || instrument.instrumenttype === 'AMXIDX') {
      underlyings.push({ symbol: instrument.name, exchange: 'NSE_INDEX' });
    } else if (instrument.exch_seg === 'NSE') {
      equities.push({ symbol: instrument.symbol.replace(/-EQ$/, ''), exchange: 'NSE' });
    }
  }
  return { underlyings, equities };
}

/** The bundled instrument master's universe (the same file the reference gateway loads by default). */
export async function loadSymbolUniverse(): Promise<SymbolUniverse> {
  return symbolUniverse(JSON.parse(await readFile(BUNDLED_INSTRUMENTS, 'utf8')) as Instrument[]);
}
