import { BUNDLED_INSTRUMENTS_PATH, loadInstrumentsFile } from '../../gateway/index.ts';
import type { Instrument } from '../../gateway/index.ts';
import type { SymbolRef } from '../../protocol/openalgo/index.ts';
import type { SymbolUniverse } from './traffic-plan.ts';

/** The scrip master marks index rows with this instrument type; OpenAlgo calls their exchange NSE_INDEX. */
const INDEX_INSTRUMENT_TYPE = 'AMXIDX';

/** Splits a scrip master into index underlyings and NSE equities, named as OpenAlgo clients name them. */
export function symbolUniverse(instruments: Instrument[]): SymbolUniverse {
  const underlyings: SymbolRef[] = [];
  const equities: SymbolRef[] = [];
  for (const row of instruments) {
    if (row.exch_seg !== 'NSE') continue;
    if (row.instrumenttype === INDEX_INSTRUMENT_TYPE) underlyings.push({ symbol: row.name, exchange: 'NSE_INDEX' });
    else if (row.symbol.endsWith('-EQ')) equities.push({ symbol: row.name, exchange: 'NSE' });
  }
  return { underlyings, equities };
}

/** The universe of the bundled instrument master, the one the reference gateway loads by default. */
export function loadSymbolUniverse(): SymbolUniverse {
  return symbolUniverse(loadInstrumentsFile(BUNDLED_INSTRUMENTS_PATH));
}
