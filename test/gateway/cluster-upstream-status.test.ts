import { describe, expect, it } from 'vitest';
import { decodeRelayedStatus, encodeRelayedStatus, StatusFrameError } from '../../gateway/cluster/status-frame.ts';
import { BrokerState } from '../../protocol/openalgo/index.ts';

describe('status relay frame', () => {
  it('round-trips a status and refuses anything else with one error type', () => {
    const status = { state: BrokerState.refusedRetrying, retry_in_ms: 40, http_status: 429 };
    const frame = encodeRelayedStatus({ origin: 'gw-a', status });
    expect(frame.toString()).toBe('{"origin":"gw-a","state":"refused-retrying","retry_in_ms":40,"http_status":429}');
    expect(decodeRelayedStatus(frame)).toEqual({ origin: 'gw-a', status });
    for (const bad of ['not json', '[]', '{"state":"open"}', '{"origin":"x","state":"sleeping"}', '{"origin":"x","state":"open","retry_in_ms":"5"}', '{"origin":"x","state":"failed","message":7}']) {
      expect(() => decodeRelayedStatus(Buffer.from(bad)), bad).toThrow(StatusFrameError);
    }
  });
});
