import { readFileSync } from 'node:fs';
import { ExchangeType, type ExchangeTypeCode } from '../protocol/smartapi/index.ts';

/**
 * The one place that maps OpenAlgo (symbol, exchange) pairs to AngelOne tokens. Reads AngelOne's
 * scrip-master shape. OpenAlgo clients say `RELIANCE`/`NSE` and `NIFTY`/`NSE_INDEX`; the scrip master
 * says `RELIANCE-EQ`/`NSE` and `Nifty 50`/`NSE` with instrumenttype `AMXIDX`. Both spellings resolve.
 */

/** One entry of AngelOne's scrip master (`--instruments FILE`); extra fields are kept but unused. */
export interface Instrument {
  token: string;
  symbol: string;
  name: string;
  exch_seg: string;
  [field: string]: unknown;
}

/** OpenAlgo exchange → SmartAPI exchange type (docs/architecture.md#smartapi-websocket-20). */
export const EXCHANGE_TYPE_BY_EXCHANGE = {
  NSE: ExchangeType.nse_cm,
  NSE_INDEX: ExchangeType.nse_cm,
  NFO: ExchangeType.nse_fo,
  BSE: ExchangeType.bse_cm,
  BSE_INDEX: ExchangeType.bse_cm,
  BFO: ExchangeType.bse_fo,
  MCX: ExchangeType.mcx_fo,
  CDS: ExchangeType.cde_fo,
} as const satisfies Record<string, ExchangeTypeCode>;
export type OpenAlgoExchange = keyof typeof EXCHANGE_TYPE_BY_EXCHANGE;

/** The scrip master marks index rows with this instrument type. */
const INDEX_INSTRUMENT_TYPE = 'AMXIDX';
const INDEX_EXCHANGE: Record<string, OpenAlgoExchange> = { NSE: 'NSE_INDEX', BSE: 'BSE_INDEX' };
const EQUITY_SERIES_SUFFIX = /-(EQ|BE|BZ|SM|ST)$/;

export interface ResolvedInstrument {
  token: string;
  exchangeType: ExchangeTypeCode;
}

export class InstrumentMaster {
  private readonly byKey = new Map<string, ResolvedInstrument>();

  constructor(instruments: readonly Instrument[]) {
    for (const row of instruments) this.index(row);
  }

  /** Token and exchange type for an OpenAlgo (symbol, exchange), or undefined when unknown. */
  resolve(symbol: string, exchange: string): ResolvedInstrument | undefined {
    return this.byKey.get(lookupKey(symbol, exchange));
  }

  private index(row: Instrument): void {
    const segment = row.exch_seg.toUpperCase();
    const isIndex = String(row.instrumenttype ?? '').toUpperCase() === INDEX_INSTRUMENT_TYPE;
    const exchange = isIndex ? (INDEX_EXCHANGE[segment] ?? segment) : segment;
    if (!(exchange in EXCHANGE_TYPE_BY_EXCHANGE)) return;
    const resolved = { token: row.token, exchangeType: EXCHANGE_TYPE_BY_EXCHANGE[exchange as OpenAlgoExchange] };
    this.add(row.symbol, exchange, resolved);
    // Derivative rows share one `name` across thousands of contracts, so only equities and indices are
    // also reachable by name.
    if (isIndex || EQUITY_SERIES_SUFFIX.test(row.symbol) || exchange.endsWith('_INDEX')) this.add(row.name, exchange, resolved);
  }

  private add(symbol: string, exchange: string, resolved: ResolvedInstrument): void {
    const key = lookupKey(symbol, exchange);
    if (!this.byKey.has(key)) this.byKey.set(key, resolved);
  }
}

function lookupKey(symbol: string, exchange: string): string {
  return `${exchange.trim().toUpperCase()}:${symbol.trim().toUpperCase()}`;
}

/** Thrown for an unreadable or malformed instruments file; the message names the file and the problem. */
export class InstrumentsFileError extends Error {
  readonly code = 'BAD_INSTRUMENTS';
}

/** Reads and checks a scrip-master JSON file (an array of {token, symbol, name, exch_seg, …}). */
export function loadInstrumentsFile(path: string): Instrument[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new InstrumentsFileError(`--instruments ${path}: ${(err as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new InstrumentsFileError(`--instruments ${path}: expected a JSON array of scrip-master rows`);
  parsed.forEach((row, i) => {
    const r = row as Record<string, unknown> | null;
    for (const field of ['token', 'symbol', 'name', 'exch_seg']) {
      if (typeof r?.[field] !== 'string') {
        throw new InstrumentsFileError(`--instruments ${path}: row ${i} needs a string "${field}"`);
      }
    }
  });
  return parsed as Instrument[];
}

/** The bundled master: NIFTY 50 equities on NSE plus the NIFTY and BANKNIFTY indices. */
export const BUNDLED_INSTRUMENTS_PATH = new URL('./data/instruments.json', import.meta.url).pathname;
