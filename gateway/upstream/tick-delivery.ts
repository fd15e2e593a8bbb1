import type { GatewayMetrics } from '../metrics.ts';
import type { AdapterListener, UpstreamAdapter } from './adapter-contract.ts';
import { decodeTick, TickDecodeError } from '../../protocol/smartapi/index.ts';

/**
 * Decodes one binary SmartAPI frame and hands the tick to the listener. A frame that does not decode is
 * counted and dropped: one bad frame from the broker must not end the upstream connection.
 */
export function deliverTick(
  adapter: UpstreamAdapter,
  data: Buffer,
  deps: { metrics: Pick<GatewayMetrics, 'ticksReceived' | 'badTicks'>; listener: Pick<AdapterListener, 'onTick'> },
): void {
  deps.metrics.ticksReceived.inc();
  try {
    deps.listener.onTick(adapter, decodeTick(data), data);
  } catch (err) {
    if (!(err instanceof TickDecodeError)) throw err;
    deps.metrics.badTicks.inc();
  }
}
