import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parseRequest } from '../../gateway/client/requests.ts';
import { BUNDLED_INSTRUMENTS_PATH, InstrumentMaster, InstrumentsFileError, loadInstrumentsFile } from '../../gateway/instruments.ts';
import { toMarketData } from '../../protocol/openalgo/index.ts';
import { decodeTick, encodeTick } from '../../protocol/smartapi/index.ts';
import type { Instrument } from '../../gateway/index.ts';
import { DEMO_USER, UserDirectory, UsersFileError, loadUsersFile } from '../../gateway/users.ts';
import { USER } from '../support/gateway-harness.ts';

describe('instrument master', () => {
  const master = new InstrumentMaster(loadInstrumentsFile(BUNDLED_INSTRUMENTS_PATH));

  it('the bundled file covers the NIFTY 50 equities with their NSE tokens and the two indices', () => {
    const rows = JSON.parse(readFileSync(BUNDLED_INSTRUMENTS_PATH, 'utf8')) as Instrument[];
    expect(rows.filter((r) => r.symbol.endsWith('-EQ'))).toHaveLength(50);
    const expected: [string, string][] = [
      ['RELIANCE', '2885'], ['SBIN', '3045'], ['INFY', '1594'], ['TCS', '11536'], ['HDFCBANK', '1333'],
      ['M&M', '2031'], ['BAJAJ-AUTO', '16669'], ['ADANIENT', '25'], ['SHRIRAMFIN', '4306'],
    ];
    for (const [symbol, token] of expected) expect(master.resolve(symbol, 'NSE'), symbol).toEqual({ token, exchangeType: 1 });
    expect(master.resolve('NIFTY', 'NSE_INDEX')).toEqual({ token: '99926000', exchangeType: 1 });
    expect(master.resolve('BANKNIFTY', 'NSE_INDEX')).toEqual({ token: '99926009', exchangeType: 1 });
  });

  it('resolves the OpenAlgo name and the scrip-master symbol, case-insensitively', () => {
    expect(master.resolve('RELIANCE-EQ', 'NSE')).toEqual(master.resolve('RELIANCE', 'NSE'));
    expect(master.resolve('reliance', 'nse')).toEqual({ token: '2885', exchangeType: 1 });
    expect(master.resolve('Nifty 50', 'NSE_INDEX')).toEqual({ token: '99926000', exchangeType: 1 });
    expect(master.resolve('RELIANCE', 'BSE')).toBeUndefined();
    expect(master.resolve('NIFTY', 'NSE')).toBeUndefined();
  });

  it('maps exchanges to SmartAPI exchange types and keeps derivative names out of the name index', () => {
    const custom = new InstrumentMaster([
      { token: '35001', symbol: 'NIFTY25NOV25000CE', name: 'NIFTY', exch_seg: 'NFO' },
      { token: '500325', symbol: 'RELIANCE', name: 'RELIANCE', exch_seg: 'BSE' },
      { token: '1', symbol: 'X', name: 'X', exch_seg: 'BFO' },
      { token: '2', symbol: 'GOLD', name: 'GOLD', exch_seg: 'MCX' },
      { token: '3', symbol: 'USDINR', name: 'USDINR', exch_seg: 'CDS' },
    ]);
    expect(custom.resolve('NIFTY25NOV25000CE', 'NFO')).toEqual({ token: '35001', exchangeType: 2 });
    expect(custom.resolve('NIFTY', 'NFO')).toBeUndefined();
    expect(custom.resolve('RELIANCE', 'BSE')?.exchangeType).toBe(3);
    expect(custom.resolve('X', 'BFO')?.exchangeType).toBe(4);
    expect(custom.resolve('GOLD', 'MCX')?.exchangeType).toBe(5);
    expect(custom.resolve('USDINR', 'CDS')?.exchangeType).toBe(13);
  });

  it('a malformed instruments file is refused naming the file and the row', () => {
    const dir = mkdtempSync(join(tmpdir(), 'instruments-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify([{ token: 1, symbol: 'A', name: 'A', exch_seg: 'NSE' }]));
    expect(() => loadInstrumentsFile(file)).toThrow(InstrumentsFileError);
    expect(() => loadInstrumentsFile(file)).toThrow(`--instruments ${file}: row 0 needs a string "token"`);
  });
});

describe('user directory', () => {
  it('finds users by API key and nothing for other keys of any length', () => {
    const dir = new UserDirectory([USER, DEMO_USER]);
    expect(dir.findByApiKey(USER.apiKey)).toBe(USER);
    expect(dir.findByApiKey('demo-api-key')).toBe(DEMO_USER);
    expect(dir.findByApiKey(USER.apiKey.slice(0, -1))).toBeUndefined();
    expect(dir.findByApiKey('x'.repeat(10_000))).toBeUndefined();
  });

  it('a users file with a missing field or a repeated key is refused naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'users-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const missing = join(dir, 'missing.json');
    writeFileSync(missing, JSON.stringify([{ ...USER, feedToken: undefined }]));
    expect(() => loadUsersFile(missing)).toThrow(`--users ${missing}: user 0 needs a non-empty string "feedToken"`);
    const repeated = join(dir, 'repeated.json');
    writeFileSync(repeated, JSON.stringify([USER, { ...USER, userId: 'other' }]));
    expect(() => loadUsersFile(repeated)).toThrow(UsersFileError);
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify([USER]));
    expect(loadUsersFile(good)).toEqual([USER]);
  });
});

describe('client request parsing', () => {
  it('reads modes as numbers, numeric strings or names in any case; Quote when absent', () => {
    const mode = (m: unknown): unknown => {
      const r = parseRequest(JSON.stringify({ action: 'subscribe', symbol: 'SBIN', exchange: 'NSE', mode: m }));
      return 'items' in r ? r.items[0]!.mode : r;
    };
    expect([mode(1), mode(2), mode(3), mode('LTP'), mode('quote'), mode('DEPTH'), mode('2'), mode(undefined)]).toEqual([1, 2, 3, 1, 2, 3, 2, 2]);
    expect(mode('Full')).toMatchObject({ error: 'INVALID_PARAMETERS' });
  });

  it('per-symbol modes override the frame mode in unsubscribe', () => {
    const r = parseRequest(JSON.stringify({ action: 'unsubscribe', symbols: [{ symbol: 'A', exchange: 'NSE', mode: 'LTP' }, { symbol: 'B', exchange: 'NSE' }], mode: 3 }));
    expect(r).toMatchObject({ action: 'unsubscribe', items: [{ symbol: 'A', mode: 1 }, { symbol: 'B', mode: 3 }] });
  });
});

describe('market data conversion', () => {
  it('turns a SnapQuote tick into Depth data with rupee prices', () => {
    const tick = decodeTick(
      encodeTick({
        mode: 3, exchangeType: 1, token: '2885', sequenceNumber: 9, exchangeTimestamp: 1_700_000_000_000,
        lastTradedPrice: 250075, lastTradedQuantity: 10, averageTradedPrice: 249950, volumeTradedToday: 12345,
        totalBuyQuantity: 500, totalSellQuantity: 700, openPrice: 248000, highPrice: 251000, lowPrice: 247500,
        closePrice: 249000, lastTradedTimestamp: 1_699_999_999_000, openInterest: 0, openInterestChangePercent: 0,
        bestFive: {
          buy: [1, 2, 3, 4, 5].map((i) => ({ quantity: i * 10, price: 250000 - i * 5, orders: i })),
          sell: [1, 2, 3, 4, 5].map((i) => ({ quantity: i * 20, price: 250100 + i * 5, orders: i })),
        },
        upperCircuit: 275000, lowerCircuit: 225000, week52High: 300000, week52Low: 200000,
      }),
    );
    const data = toMarketData(tick)!;
    expect(data).toMatchObject({
      ltp: 2500.75, ltt: 1_699_999_999_000, volume: 12345, open: 2480, high: 2510, low: 2475, close: 2490,
      last_trade_quantity: 10, average_price: 2499.5, total_buy_quantity: 500, total_sell_quantity: 700,
      timestamp: 1_700_000_000_000, oi: 0, upper_circuit: 2750, lower_circuit: 2250,
    });
    expect(data.depth!.buy[0]).toEqual({ price: 2499.95, quantity: 10, orders: 1 });
    expect(data.depth!.sell[4]).toEqual({ price: 2501.25, quantity: 100, orders: 5 });
  });
});
