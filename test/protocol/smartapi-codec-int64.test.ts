import { describe, expect, it } from 'vitest';
import { decodeTick, encodeTick, OFFSET } from '../../protocol/smartapi/index.ts';

/** int64 fields are written as two 32-bit halves (no BigInt); these golden bytes pin the edge cases. */
describe('SmartAPI codec int64 fields', () => {
  it.each([
    [0, '0000000000000000'],
    [1, '0100000000000000'],
    [-1, 'ffffffffffffffff'],
    [2 ** 32, '0000000001000000'],
    [2 ** 32 - 1, 'ffffffff00000000'],
    [-(2 ** 32), '00000000ffffffff'],
    [Number.MAX_SAFE_INTEGER, 'ffffffffffff1f00'],
    [Number.MIN_SAFE_INTEGER, '010000000000e0ff'],
    [12.9, '0c00000000000000'],
    [-12.9, 'f4ffffffffffffff'],
  ])('writes %d as little-endian two\'s complement %s and reads it back', (value, hex) => {
    const frame = encodeTick({ mode: 1, exchangeType: 1, token: '2885', sequenceNumber: 1, exchangeTimestamp: 0, lastTradedPrice: value });

    expect(frame.subarray(OFFSET.lastTradedPrice, OFFSET.lastTradedPrice + 8).toString('hex')).toBe(hex);
    expect(decodeTick(frame)).toMatchObject({ lastTradedPrice: Math.trunc(value) });
  });
});
