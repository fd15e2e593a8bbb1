import { BEST_FIVE, DEPTH20, SubscriptionMode, type ExchangeTypeCode, type SubscriptionModeCode, type BestFiveLevel, type QuoteFields, type Tick } from '../protocol/smartapi/index.ts';
import { seedFor, type CreateRandom, type RandomSource } from '../contract/seeded-random.ts';

/** Prices move in exchange tick-size steps of 5 paise (₹0.05). */
const TICK_SIZE = 5;

/** One token's market: a random walk that advances once per tick interval, whatever the modes. */
export interface TokenWalk {
  readonly exchangeType: ExchangeTypeCode;
  readonly token: string;
  readonly random: RandomSource;
  readonly depthSeed: number;
  sequenceNumber: number;
  price: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  turnover: number;
  lastTradedQuantity: number;
  totalBuyQuantity: number;
  totalSellQuantity: number;
  openInterest: number;
  lastTradedTime: number;
}

const roundToTick = (paise: number): number => Math.max(TICK_SIZE, Math.round(paise / TICK_SIZE) * TICK_SIZE);

/** Cheap integer hash: depth quantities vary per step without consuming the walk's random stream. */
function mix(seed: number, n: number): number {
  let h = Math.imul(seed ^ n, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}

/**
 * Deterministic market data. Each token has its own random stream derived from the seed and the token,
 * so a token's n-th price is the same in every broker started with the same seed, no matter what else
 * is subscribed or in which order. Every step draws exactly four numbers from it.
 */
export class TickGenerator {
  private readonly walks = new Map<string, TokenWalk>();

  constructor(
    private readonly seed: number,
    private readonly createRandom: CreateRandom,
  ) {}

  /** Moves a token's walk one step and returns it; the first call starts the walk. */
  advance(exchangeType: ExchangeTypeCode, token: string, now: number): TokenWalk {
    const key = `${exchangeType}|${token}`;
    let walk = this.walks.get(key);
    if (!walk) {
      walk = this.start(exchangeType, token, key);
      this.walks.set(key, walk);
    }
    const { random } = walk;
    walk.price = roundToTick(walk.price + (random() - 0.5) * 0.004 * walk.price);
    walk.lastTradedQuantity = 1 + Math.floor(random() * 500);
    walk.totalBuyQuantity = 1000 + Math.floor(random() * 100_000);
    walk.totalSellQuantity = 1000 + Math.floor(random() * 100_000);
    walk.sequenceNumber += 1;
    walk.volume += walk.lastTradedQuantity;
    walk.turnover += walk.lastTradedQuantity * walk.price;
    walk.openInterest += walk.lastTradedQuantity % 7;
    walk.high = Math.max(walk.high, walk.price);
    walk.low = Math.min(walk.low, walk.price);
    walk.lastTradedTime = Math.floor(now / 1000);
    return walk;
  }

  /** The tick a subscriber of `mode` receives for the walk's current step, stamped `now`. */
  tick(walk: TokenWalk, mode: SubscriptionModeCode, now: number): Tick {
    const { exchangeType, token, sequenceNumber } = walk;
    if (mode === SubscriptionMode.depth20) {
      return {
        mode,
        exchangeType,
        token,
        exchangeTimestamp: now,
        packetReceivedTime: now,
        buy: this.levels(walk, DEPTH20.levelCount, -1),
        sell: this.levels(walk, DEPTH20.levelCount, 1),
      };
    }
    const ltp = { exchangeType, token, sequenceNumber, exchangeTimestamp: now, lastTradedPrice: walk.price };
    if (mode === SubscriptionMode.ltp) return { mode, ...ltp };
    const quote: QuoteFields = {
      lastTradedQuantity: walk.lastTradedQuantity,
      averageTradedPrice: Math.round(walk.turnover / walk.volume),
      volumeTradedToday: walk.volume,
      totalBuyQuantity: walk.totalBuyQuantity,
      totalSellQuantity: walk.totalSellQuantity,
      openPrice: walk.open,
      highPrice: walk.high,
      lowPrice: walk.low,
      closePrice: walk.close,
    };
    if (mode === SubscriptionMode.quote) return { mode, ...ltp, ...quote };
    return {
      mode,
      ...ltp,
      ...quote,
      lastTradedTimestamp: walk.lastTradedTime,
      openInterest: walk.openInterest,
      openInterestChangePercent: 0,
      bestFive: { buy: this.levels(walk, BEST_FIVE.levels, -1), sell: this.levels(walk, BEST_FIVE.levels, 1) },
      upperCircuit: roundToTick(walk.close * 1.2),
      lowerCircuit: roundToTick(walk.close * 0.8),
      week52High: roundToTick(walk.close * 1.35),
      week52Low: roundToTick(walk.close * 0.65),
    };
  }

  private start(exchangeType: ExchangeTypeCode, token: string, key: string): TokenWalk {
    const random = this.createRandom(seedFor(this.seed, key));
    const price = roundToTick(10_000 + random() * 490_000);
    return {
      exchangeType,
      token,
      random,
      depthSeed: seedFor(this.seed ^ 0x5bd1e995, key),
      sequenceNumber: 0,
      price,
      open: price,
      high: price,
      low: price,
      close: price,
      volume: 0,
      turnover: 0,
      lastTradedQuantity: 0,
      totalBuyQuantity: 0,
      totalSellQuantity: 0,
      openInterest: 0,
      lastTradedTime: 0,
    };
  }

  /** Book levels stepping away from the last price: below it for buys (side -1), above for sells. */
  private levels(walk: TokenWalk, count: number, side: -1 | 1): BestFiveLevel[] {
    const levels: BestFiveLevel[] = [];
    for (let i = 0; i < count; i++) {
      const h = mix(walk.depthSeed, walk.sequenceNumber * 97 + i * 2 + (side === 1 ? 1 : 0));
      levels.push({ price: Math.max(TICK_SIZE, walk.price + side * (i + 1) * TICK_SIZE), quantity: 1 + (h % 5000), orders: 1 + (h % 50) });
    }
    return levels;
  }
}
