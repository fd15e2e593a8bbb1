import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

const LOGS = new URL('../../fixtures/logs/', import.meta.url).pathname;

const names = (await readdir(LOGS)).filter((f) => f.endsWith('.expected.json')).map((f) => f.slice(0, -'.expected.json'.length));

describe('fixture logs produce exactly the findings beside them', () => {
  it('has a fixture for every log shape docs/verify.md#what-it-reads names', () => {
    expect(names).toEqual(
      expect.arrayContaining(['incident.log', 'healthy-2025.log', 'healthy-pool-2026.log', 'ws-429.log', 'docker-churn.log', 'journald-burst.log', 'gateway-legacy.jsonl', 'gateway-singleton.jsonl', 'mixed.log', 'rotated', 'sdk-zombie-docker.log', 'forced-reconnect-2026.log', 'zerodha-429.log', 'zerodha-emoji-2025.log', 'zerodha-kite-2026.log', 'dhan-805.log', 'other-brokers.log']),
    );
  });
});
