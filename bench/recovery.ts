import { WebSocket } from 'ws';
import { startMockBroker } from '../mock-broker/index.ts';
import { DEFAULT_BACKOFF, type BackoffPolicy } from '../gateway/upstream/backoff.ts';
import { DEMO_USER, startGateway } from '../gateway/index.ts';
import { intOption } from './bench-args.ts';
import { median, sleep } from './summary.ts';
import type { Benchmark, BenchTable } from './table.ts';

/**
 * Issue 13 item 2: recovery after another application frees the user's broker slot. Per run: a mock
 * broker (limit 2) whose two slots are held by "another app", a gateway whose one client wants data, and
 * the slot freed at a uniformly random moment; measured are the time from the slot freeing to the
 * gateway's upstream opening, and the gateway's attempts per minute against the refusing broker.
 *
 * Time scaling keeps the bench bounded: every gateway delay (the 429 band) runs `scale` times faster,
 * and the measured times are divided by `scale` back into gateway seconds. Handshake latency is
 * multiplied along with them, so the reported recovery errs on the slow side.
 */

export interface RecoveryConfig {
  runs: number;
  /** Gateway time runs this many times faster than real time. */
  scale: number;
  /** The slot frees at a uniform moment in [minFreeAfterS, maxFreeAfterS] gateway seconds after the first refusal. */
  minFreeAfterS: number;
  maxFreeAfterS: number;
}

export const RECOVERY_DEFAULTS: RecoveryConfig = { runs: 20, scale: 10, minFreeAfterS: 10, maxFreeAfterS: 30 };
export const RECOVERY_TARGETS = { p95RecoveryS: 5, attemptsPerMinute: 12 } as const;

export interface RecoveryRun {
  freeAfterS: number;
  recoveryS: number;
  refusals: number;
  attemptsPerMinute: number;
}

function scaled(policy: BackoffPolicy, scale: number): BackoffPolicy {
  return {
    baseMs: policy.baseMs / scale,
    capMs: policy.capMs / scale,
    rateLimitedMinMs: policy.rateLimitedMinMs / scale,
    rateLimitedMaxMs: policy.rateLimitedMaxMs / scale,
  };
}

function openSocket(url: string, headers?: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

async function waitUntil(probe: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`recovery bench: timed out waiting for ${what}`);
    await sleep(2);
  }
}

export async function runRecoveryOnce(config: RecoveryConfig, freeAfterS: number): Promise<RecoveryRun> {
  const account = { clientCode: DEMO_USER.clientCode, apiKey: DEMO_USER.brokerApiKey, feedToken: DEMO_USER.feedToken, authToken: DEMO_USER.authToken };
  const broker = await startMockBroker({ port: 0, limit: 2, tickMs: 1_000, logLevel: 'silent', accounts: [account] });
  const headers = {
    Authorization: `Bearer ${account.authToken}`,
    'x-api-key': account.apiKey,
    'x-client-code': account.clientCode,
    'x-feed-token': account.feedToken,
  };
  const otherApp = [await openSocket(broker.url, headers), await openSocket(broker.url, headers)];
  const gateway = await startGateway({
    port: 0,
    adminPort: 0,
    brokerUrl: broker.url,
    logLevel: 'silent',
    backoff: scaled(DEFAULT_BACKOFF, config.scale),
  });
  const client = await openSocket(gateway.url);
  try {
    client.send(JSON.stringify({ action: 'authenticate', api_key: DEMO_USER.apiKey }));
    const rejected = (): number => broker.stats().rejected['429'];
    await waitUntil(() => rejected() >= 1, 10_000, 'the first refusal');
    const firstRefusalAt = Date.now();
    await sleep((freeAfterS * 1000) / config.scale);
    otherApp[0]!.close();
    await waitUntil(() => (broker.stats().current[account.clientCode] ?? 2) < 2, 10_000, 'the slot to free');
    const freedAt = Date.now();
    await waitUntil(() => broker.stats().accepted >= 3, (60 * 1000) / config.scale, 'the gateway to open its upstream');
    const openedAt = Date.now();
    const refusals = rejected();
    const refusingS = ((freedAt - firstRefusalAt) * config.scale) / 1000;
    return {
      freeAfterS,
      recoveryS: ((openedAt - freedAt) * config.scale) / 1000,
      refusals,
      // The first refusal opens the window; every later one falls inside it.
      attemptsPerMinute: ((refusals - 1) / refusingS) * 60,
    };
  } finally {
    client.terminate();
    for (const ws of otherApp) ws.terminate();
    await gateway.close();
    await broker.close();
  }
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const recovery: Benchmark = {
  name: 'recovery',
  description: 'time from a freed broker slot to the upstream opening, and attempts per minute while refused (issue 13 item 2)',
  async run(args: string[]): Promise<BenchTable> {
    const config: RecoveryConfig = {
      ...RECOVERY_DEFAULTS,
      runs: intOption(args, 'recovery-runs', RECOVERY_DEFAULTS.runs),
      scale: intOption(args, 'recovery-scale', RECOVERY_DEFAULTS.scale),
    };
    const runs: RecoveryRun[] = [];
    for (let i = 0; i < config.runs; i++) {
      const freeAfterS = config.minFreeAfterS + Math.random() * (config.maxFreeAfterS - config.minFreeAfterS);
      runs.push(await runRecoveryOnce(config, freeAfterS));
    }
    const recoveries = runs.map((r) => r.recoveryS);
    const rates = runs.map((r) => r.attemptsPerMinute);
    const p95 = percentile(recoveries, 95);
    const worstRate = Math.max(...rates);
    const fmt = (n: number) => n.toFixed(2);
    return {
      title: `Recovery after a freed slot (${config.runs} runs, slot freed at a random ${config.minFreeAfterS}–${config.maxFreeAfterS} s, time x${config.scale})`,
      columns: ['measure', 'median', 'p95', 'max', 'target'],
      rows: [
        ['slot free → upstream open (s)', fmt(median(recoveries)), fmt(p95), fmt(Math.max(...recoveries)), `p95 ≤ ${RECOVERY_TARGETS.p95RecoveryS}`],
        ['attempts/min while refused', fmt(median(rates)), fmt(percentile(rates, 95)), fmt(worstRate), `≤ ${RECOVERY_TARGETS.attemptsPerMinute}`],
      ],
      notes: [
        `p95 recovery ${fmt(p95)} s: ${p95 <= RECOVERY_TARGETS.p95RecoveryS ? 'meets' : 'MISSES'} the ${RECOVERY_TARGETS.p95RecoveryS} s target`,
        `worst run ${fmt(worstRate)} attempts/min: ${worstRate <= RECOVERY_TARGETS.attemptsPerMinute ? 'meets' : 'MISSES'} the ${RECOVERY_TARGETS.attemptsPerMinute}/min target`,
        `429 policy: uniform ${DEFAULT_BACKOFF.rateLimitedMinMs}–${DEFAULT_BACKOFF.rateLimitedMaxMs} ms between attempts (docs/gateway.md#recovery-policy)`,
      ],
      data: { config, runs },
    };
  },
};
