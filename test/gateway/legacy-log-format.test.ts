import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { formatOpenAlgoLine } from '../../gateway/legacy/openalgo-text-format.ts';
import { verifyPaths } from '../../verifier/index.ts';
import { startRig, USER, waitFor, type Rig } from '../support/gateway-harness.ts';
import { sdkHeaders } from '../support/mock-broker-client.ts';

const local = (ms: number) => new Date(2025, 10, 11, 9, 45, 49, ms).getTime();

describe('--log-format openalgo: OpenAlgo\'s text format', () => {
  it('an app line reads [YYYY-MM-DD HH:MM:SS,mmm] LEVEL in module: message', () => {
    const json = JSON.stringify({ level: 30, time: local(179), module: 'broker_factory', msg: 'Creating adapter for broker: angel' });
    expect(formatOpenAlgoLine(json)).toBe('[2025-11-11 09:45:49,179] INFO in broker_factory: Creating adapter for broker: angel');
    const refused = JSON.stringify({ level: 50, time: local(7), module: '_logging', msg: 'Handshake status 429 Too Many Requests' });
    expect(formatOpenAlgoLine(refused)).toBe('[2025-11-11 09:45:49,007] ERROR in _logging: Handshake status 429 Too Many Requests');
  });

  it("the SDK's lines read as logzero's [L yymmdd HH:MM:SS smartWebSocketV2:LINE] message", () => {
    const json = JSON.stringify({ level: 40, time: local(500), module: 'smartWebSocketV2', sdkLine: 319, msg: 'Attempting to resubscribe/reconnect (Attempt 1)...' });
    expect(formatOpenAlgoLine(json)).toBe('[W 251111 09:45:49 smartWebSocketV2:319] Attempting to resubscribe/reconnect (Attempt 1)...');
  });

  it('a line that is not JSON is dropped, not passed on half-formatted', () => {
    expect(formatOpenAlgoLine('not json')).toBeUndefined();
  });
});

let rig: Rig | undefined;
let dir: string | undefined;
const holders: WebSocket[] = [];
afterEach(async () => {
  for (const ws of holders.splice(0)) ws.terminate();
  await rig?.close();
  rig = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('a legacy-2025 lockout logged with --log-format openalgo', () => {
  it('verify reads the file as an OpenAlgo log and names the runaway', async () => {
    dir = await mkdtemp(join(tmpdir(), 'stormcheck-openalgo-log-'));
    const path = join(dir, 'openalgo.log');
    const file = createWriteStream(path);
    rig = await startRig({
      registry: 'legacy-2025',
      logFormat: 'openalgo',
      logDestination: { write: (chunk: string) => void file.write(chunk) },
      legacy: { timeScale: 0.01, safetyCap: { maxAttemptsPerSecond: 1000, runawayPerSecond: 100, maxRunawayMs: 1000 } },
    });
    const account = { clientCode: USER.clientCode, apiKey: USER.brokerApiKey, feedToken: USER.feedToken, authToken: USER.authToken };
    for (let i = 0; i < 2; i++) {
      const ws = new WebSocket(rig.broker.url, { headers: sdkHeaders(account) });
      ws.on('error', () => undefined);
      await once(ws, 'open');
      holders.push(ws);
    }
    const client = await rig.connect();
    await client.authenticate();
    await waitFor(() => rig!.broker.stats().rejected['429'] > 300, 'the runaway', 20_000);
    await rig.close();
    rig = undefined;
    file.end();
    await once(file, 'close');

    const text = await readFile(path, 'utf8');
    expect(text).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] INFO in broker_factory: Creating adapter for broker: angel$/m);
    expect(text).toMatch(/^\[W \d{6} \d\d:\d\d:\d\d smartWebSocketV2:343\] Connection closed due to max retry attempts reached\.$/m);
    expect(text).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] INFO in angel_adapter: Connecting to Angel WebSocket \(attempt 1\)$/m);
    expect(text).not.toContain('{"');

    const report = await verifyPaths([path], {});
    const rules = new Set(report.findings.map((f) => f.rule));
    expect(rules).toContain('connect-storm');
    expect(report.findings.some((f) => f.stormKind === 'runaway-retry')).toBe(true);
  }, 60_000);
});
