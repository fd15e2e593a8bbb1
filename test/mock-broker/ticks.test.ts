import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../contract/seeded-random.ts';
import { TickGenerator } from '../../mock-broker/tick-generator.ts';
import type { LtpTick, SnapQuoteTick } from '../../protocol/smartapi/index.ts';

const walkPrices = (generator: TickGenerator, token: string, steps: number, others: string[] = []): number[] =>
  Array.from({ length: steps }, (_, i) => {
    for (const other of others) generator.advance(1, other, i);
    return generator.advance(1, token, i).price;
  });

describe('mock broker tick generator', () => {
  it("gives a token the same prices whatever else is subscribed and in which order", () => {
    const alone = walkPrices(new TickGenerator(1, mulberry32), '2885', 20);
    const crowded = walkPrices(new TickGenerator(1, mulberry32), '2885', 20, ['3045', '1594', '11536']);

    expect(crowded).toEqual(alone);
    expect(walkPrices(new TickGenerator(2, mulberry32), '2885', 20)).not.toEqual(alone);
    expect(walkPrices(new TickGenerator(1, mulberry32), '3045', 20)).not.toEqual(alone);
  });

  it('draws every price from the injected random source', () => {
    const generator = new TickGenerator(1, () => () => 0.5);

    const walk = generator.advance(1, '2885', 1_000);
    const tick = generator.tick(walk, 1, 1_000) as LtpTick;

    // 0.5 starts the walk mid-range (₹100 + 0.5 × ₹4900 = ₹2550.00) and a 0.5 step does not move it.
    expect(tick).toEqual({ mode: 1, exchangeType: 1, token: '2885', sequenceNumber: 1, exchangeTimestamp: 1_000, lastTradedPrice: 255_000 });
  });

  it('keeps quote fields consistent over a long walk', () => {
    const generator = new TickGenerator(3, mulberry32);
    let volume = 0;
    for (let i = 0; i < 500; i++) {
      const walk = generator.advance(1, '2885', i * 100);
      const tick = generator.tick(walk, 3, i * 100) as SnapQuoteTick;
      expect(tick.sequenceNumber).toBe(i + 1);
      expect(tick.lowPrice).toBeLessThanOrEqual(tick.lastTradedPrice);
      expect(tick.highPrice).toBeGreaterThanOrEqual(tick.lastTradedPrice);
      expect(tick.volumeTradedToday).toBe(volume + tick.lastTradedQuantity);
      expect(tick.averageTradedPrice).toBeGreaterThanOrEqual(tick.lowPrice);
      expect(tick.averageTradedPrice).toBeLessThanOrEqual(tick.highPrice);
      volume = tick.volumeTradedToday;
    }
  });
});
