import { describe, expect, it } from 'vitest';
import { decodeTick, encodeTick, TickDecodeError, type Tick } from '../../protocol/smartapi/index.ts';

// Expected bytes are written from the table in docs/architecture.md#smartapi-websocket-20 with literal offsets, independently of the codec's
// own offset constants, so a wrong constant cannot agree with itself.
function header(size: number, mode: number, exchangeType: number, token: string): Buffer {
  const b = Buffer.alloc(size);
  b[0] = mode;
  b[1] = exchangeType;
  b.write(token, 2, 'ascii');
  return b;
}
const i64 = (b: Buffer, at: number, v: number) => b.writeBigInt64LE(BigInt(v), at);

const quoteFields = {
  lastTradedQuantity: 25,
  averageTradedPrice: 249_875,
  volumeTradedToday: 1_234_567,
  totalBuyQuantity: 5000.5,
  totalSellQuantity: 4200,
  openPrice: 248_000,
  highPrice: 251_000,
  lowPrice: 247_500,
  closePrice: 249_000,
};
function writeQuote(b: Buffer): void {
  i64(b, 51, 25);
  i64(b, 59, 249_875);
  i64(b, 67, 1_234_567);
  b.writeDoubleLE(5000.5, 75);
  b.writeDoubleLE(4200, 83);
  i64(b, 91, 248_000);
  i64(b, 99, 251_000);
  i64(b, 107, 247_500);
  i64(b, 115, 249_000);
}

describe('SmartAPI tick codec (golden bytes from docs/architecture.md#smartapi-websocket-20)', () => {
  const ltp: Tick = {
    mode: 1,
    exchangeType: 1,
    token: '2885',
    sequenceNumber: 7,
    exchangeTimestamp: 1_700_000_000_000,
    lastTradedPrice: 250_050,
  };

  it('encodes an LTP tick as exactly these 51 bytes', () => {
    const golden =
      '01' + '01' + '32383835' + '00'.repeat(21) + '0700000000000000' + '0068e5cf8b010000' + 'c2d0030000000000';
    expect(encodeTick(ltp).toString('hex')).toBe(golden);
    expect(decodeTick(Buffer.from(golden, 'hex'))).toEqual(ltp);
  });

  it('encodes a Quote tick as 123 bytes with the quote fields at their offsets', () => {
    const tick: Tick = { ...ltp, mode: 2, exchangeType: 2, token: '35003', ...quoteFields };
    const b = header(123, 2, 2, '35003');
    i64(b, 27, 7);
    i64(b, 35, 1_700_000_000_000);
    i64(b, 43, 250_050);
    writeQuote(b);
    expect(encodeTick(tick).equals(b)).toBe(true);
    expect(decodeTick(b)).toEqual(tick);
  });

  it('encodes a SnapQuote tick as 379 bytes: best five buy (flag 1) then sell (flag 0), circuits last', () => {
    const buy = [1, 2, 3, 4, 5].map((n) => ({ quantity: n * 10, price: 250_000 - n * 5, orders: n }));
    const sell = [1, 2, 3, 4, 5].map((n) => ({ quantity: n * 11, price: 250_100 + n * 5, orders: n + 1 }));
    const tick: Tick = {
      ...ltp,
      mode: 3,
      ...quoteFields,
      lastTradedTimestamp: 1_699_999_999_000,
      openInterest: 9_876,
      openInterestChangePercent: -1.25,
      bestFive: { buy, sell },
      upperCircuit: 275_000,
      lowerCircuit: 225_000,
      week52High: 300_000,
      week52Low: 200_000,
    };
    const b = header(379, 3, 1, '2885');
    i64(b, 27, 7);
    i64(b, 35, 1_700_000_000_000);
    i64(b, 43, 250_050);
    writeQuote(b);
    i64(b, 123, 1_699_999_999_000);
    i64(b, 131, 9_876);
    b.writeDoubleLE(-1.25, 139);
    [...buy, ...sell].forEach((lvl, i) => {
      const at = 147 + i * 20;
      b.writeUInt16LE(i < 5 ? 1 : 0, at);
      i64(b, at + 2, lvl.quantity);
      i64(b, at + 10, lvl.price);
      b.writeUInt16LE(lvl.orders, at + 18);
    });
    i64(b, 347, 275_000);
    i64(b, 355, 225_000);
    i64(b, 363, 300_000);
    i64(b, 371, 200_000);
    expect(encodeTick(tick).equals(b)).toBe(true);
    expect(decodeTick(b)).toEqual(tick);
  });

  it('decodes best-five entries by their buy/sell flag, not their position', () => {
    const b = header(379, 3, 1, '2885');
    b.writeUInt16LE(0, 147); // first entry is a sell level
    i64(b, 147 + 10, 123);
    for (let i = 1; i < 10; i++) b.writeUInt16LE(1, 147 + i * 20);
    const tick = decodeTick(b);
    if (tick.mode !== 3) throw new Error('expected SnapQuote');
    expect(tick.bestFive.sell).toHaveLength(1);
    expect(tick.bestFive.sell[0]!.price).toBe(123);
    expect(tick.bestFive.buy).toHaveLength(9);
  });

  it('encodes a Depth-20 tick as 443 bytes: timestamps at 27 and 35, 20 buy then 20 sell levels of 10 bytes', () => {
    const buy = Array.from({ length: 20 }, (_, i) => ({ quantity: 100 + i, price: 250_000 - i * 5, orders: i + 1 }));
    const sell = Array.from({ length: 20 }, (_, i) => ({ quantity: 200 + i, price: 250_100 + i * 5, orders: 30 - i }));
    const tick: Tick = {
      mode: 4,
      exchangeType: 1,
      token: '1594',
      exchangeTimestamp: 1_700_000_000_123,
      packetReceivedTime: 1_700_000_000_456,
      buy,
      sell,
    };
    const b = header(443, 4, 1, '1594');
    i64(b, 27, 1_700_000_000_123);
    i64(b, 35, 1_700_000_000_456);
    [...buy, ...sell].forEach((lvl, i) => {
      const at = 43 + i * 10;
      b.writeInt32LE(lvl.quantity, at);
      b.writeInt32LE(lvl.price, at + 4);
      b.writeInt16LE(lvl.orders, at + 8);
    });
    expect(encodeTick(tick).equals(b)).toBe(true);
    expect(decodeTick(b)).toEqual(tick);
  });

  it('reads a token that fills all 25 bytes without a NUL', () => {
    const token = 'A'.repeat(25);
    expect(decodeTick(encodeTick({ ...ltp, token })).token).toBe(token);
  });

  it('rejects a short frame, an unknown mode and an empty frame with TickDecodeError', () => {
    expect(() => decodeTick(Buffer.alloc(50, 1))).toThrow(TickDecodeError);
    expect(() => decodeTick(Buffer.from([9, 1]))).toThrow(/unknown subscription mode 9/);
    expect(() => decodeTick(Buffer.alloc(0))).toThrow(TickDecodeError);
  });

  it('refuses to encode a token longer than 25 bytes', () => {
    expect(() => encodeTick({ ...ltp, token: 'X'.repeat(26) })).toThrow(RangeError);
  });
});
