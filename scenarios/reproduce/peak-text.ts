import type { ModeResult } from './reproduce.ts';

/**
 * A mode's peak upstream connections as the table and the page both print it: the gateway's own, then the
 * slots another application held at the same broker, apart (`1 (+2 held by another app)`), so the held
 * slots are never read as the deployment's.
 */
export function peakText(m: Pick<ModeResult, 'broker' | 'slotHold'>): string {
  const held = m.slotHold?.held ?? 0;
  return held > 0 ? `${m.broker.gatewayPeak} (+${held} held by another app)` : String(m.broker.gatewayPeak);
}
