import { SubscriptionMode, type BestFiveLevel, type SubscriptionModeCode, type Tick } from '../smartapi/index.ts';
import type { DepthLevel, MarketData, OpenAlgoModeCode } from './protocol.ts';

/**
 * OpenAlgo mode → SmartAPI mode: Depth (5 levels) is SmartAPI's SnapQuote
 * (docs/architecture.md#openalgo-client-protocol).
 */
export const SMARTAPI_MODE = {
  1: SubscriptionMode.ltp,
  2: SubscriptionMode.quote,
  3: SubscriptionMode.snapQuote,
} as const satisfies Record<OpenAlgoModeCode, SubscriptionModeCode>;

const PAISE_PER_RUPEE = 100;

function rupees(paise: number): number {
  return paise / PAISE_PER_RUPEE;
}

function depthLevels(levels: BestFiveLevel[]): DepthLevel[] {
  return levels.map((l) => ({ price: rupees(l.price), quantity: l.quantity, orders: l.orders }));
}

/**
 * The `data` object of a market_data push for one tick, prices in rupees. Returns undefined for
 * Depth-20 ticks, which the OpenAlgo modes never subscribe to.
 */
export function toMarketData(tick: Tick): MarketData | undefined {
  if (tick.mode === SubscriptionMode.depth20) return undefined;
  const ltp = rupees(tick.lastTradedPrice);
  if (tick.mode === SubscriptionMode.ltp) {
    // An LTP packet carries only the exchange timestamp; it stands for the last trade time too.
    return { ltp, ltt: tick.exchangeTimestamp, timestamp: tick.exchangeTimestamp };
  }
  const quote: MarketData = {
    ltp,
    ltt: tick.mode === SubscriptionMode.snapQuote ? tick.lastTradedTimestamp : tick.exchangeTimestamp,
    volume: tick.volumeTradedToday,
    open: rupees(tick.openPrice),
    high: rupees(tick.highPrice),
    low: rupees(tick.lowPrice),
    close: rupees(tick.closePrice),
    last_trade_quantity: tick.lastTradedQuantity,
    average_price: rupees(tick.averageTradedPrice),
    total_buy_quantity: tick.totalBuyQuantity,
    total_sell_quantity: tick.totalSellQuantity,
    timestamp: tick.exchangeTimestamp,
  };
  if (tick.mode === SubscriptionMode.quote) return quote;
  return {
    ...quote,
    oi: tick.openInterest,
    upper_circuit: rupees(tick.upperCircuit),
    lower_circuit: rupees(tick.lowerCircuit),
    depth: { buy: depthLevels(tick.bestFive.buy), sell: depthLevels(tick.bestFive.sell) },
  };
}
