import { BrokerState, type BrokerStateName } from '../../protocol/openalgo/index.ts';
import type { BrokerStatusUpdate } from '../upstream/adapter-contract.ts';

/**
 * One upstream state change of the lease holder, relayed on the status channel so clients of every
 * gateway hear the same `broker_status` as the holder's own. JSON: a handful of messages per connect
 * cycle, so readability beats bytes here (ticks use the binary relay frame).
 */
export interface RelayedStatus {
  origin: string;
  status: BrokerStatusUpdate;
  /** When the holder sent it (its clock, ms): a replayed old status is refused by its age. */
  sentAtMs?: number;
}

export class StatusFrameError extends Error {
  readonly code = 'BAD_STATUS_FRAME';
}

const STATES = new Set<string>(Object.values(BrokerState));

export function encodeRelayedStatus({ origin, status, sentAtMs }: RelayedStatus): Buffer {
  return Buffer.from(JSON.stringify({ origin, ...status, ...(sentAtMs !== undefined && { at: sentAtMs }) }), 'utf8');
}

const optionalNumber = (value: unknown): value is number | undefined => value === undefined || (typeof value === 'number' && Number.isFinite(value));

/** Throws StatusFrameError for anything but an object with a string origin, a known state and well-typed extras. */
export function decodeRelayedStatus(buf: Buffer): RelayedStatus {
  let parsed: unknown;
  try {
    parsed = JSON.parse(buf.toString('utf8'));
  } catch {
    throw new StatusFrameError('status message is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null) throw new StatusFrameError('status message is not an object');
  const { origin, state, retry_in_ms, http_status, message, at } = parsed as Record<string, unknown>;
  if (typeof origin !== 'string') throw new StatusFrameError('status message has no origin');
  if (typeof state !== 'string' || !STATES.has(state)) throw new StatusFrameError(`unknown broker state ${JSON.stringify(state)}`);
  if (!optionalNumber(retry_in_ms) || !optionalNumber(http_status) || !optionalNumber(at)) throw new StatusFrameError('retry_in_ms, http_status and at must be numbers');
  if (message !== undefined && typeof message !== 'string') throw new StatusFrameError('message must be a string');
  return {
    origin,
    status: {
      state: state as BrokerStateName,
      ...(retry_in_ms !== undefined && { retry_in_ms }),
      ...(http_status !== undefined && { http_status }),
      ...(message !== undefined && { message }),
    },
    ...(at !== undefined && { sentAtMs: at }),
  };
}
