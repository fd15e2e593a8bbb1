import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { DEMO_USER } from '../../gateway/index.ts';
import { startMockBroker } from '../../mock-broker/index.ts';
import { OpenAlgoSession } from '../../scenarios/traffic/openalgo-client.ts';
import { holdBrokerSlots } from '../../scenarios/traffic/traffic-slot-holder.ts';
import type { VerifyReport } from '../../verifier/index.ts';
import { waitFor } from '../support/mock-broker-client.ts';
import { STORMCHECK_BIN, stormcheck, tempDirPerTest } from '../support/run-stormcheck.ts';

const tmp = tempDirPerTest();
const LOCKOUT_MS = 56_000;
const LIMIT = 2;

/**
 * issue 21: stormcheck's own singleton gateway, locked out for 56 s by another application holding every
 * slot at the mock broker, retries about every 5 s. Its log must pass stormcheck's own verify (the 12
 * refusals once failed a 10-a-minute threshold), and the counts in the message must be the log's.
 */
describe("stormcheck's singleton gateway through a 56 s lockout by another application", () => {
  it('its log has no error finding, and the refusals are counted as the broker counted them', { timeout: 120_000 }, async () => {
    const brokerLogFile = `${tmp.dir}/mock-broker.log`;
    const brokerLog = createWriteStream(brokerLogFile);
    const broker = await startMockBroker({ host: '127.0.0.1', port: 0, limit: LIMIT, logDestination: brokerLog as unknown as pino.DestinationStream });
    const gatewayLog = `${tmp.dir}/gateway.log`;
    const out = createWriteStream(gatewayLog);
    const held = await holdBrokerSlots(broker.url, DEMO_USER, LIMIT);
    expect(held.held).toBe(LIMIT);
    const gateway = spawn(process.execPath, [STORMCHECK_BIN, 'gateway', '--port', '0', '--admin-port', '0', '--registry', 'singleton', '--broker-url', broker.url, '--max-reconnect', '50'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise((resolve) => gateway.once('exit', resolve));
    let stderr = '';
    gateway.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    gateway.stdout.pipe(out);
    let session: OpenAlgoSession | undefined;
    try {
      const url = (await waitFor(() => /clients (ws:\/\/[^\s,]+)/.exec(stderr), 'the gateway to start', 20_000))[1];
      session = await OpenAlgoSession.open(url, { apiKey: DEMO_USER.apiKey, replyTimeoutMs: 10_000 });
      const lockoutStart = Date.now();
      await session.subscribe([[{ symbol: 'RELIANCE', exchange: 'NSE' }]], 1);
      await sleep(LOCKOUT_MS - (Date.now() - lockoutStart));
      await held.release();
      await waitFor(async () => (await readFile(gatewayLog, 'utf8')).includes('Connected to Angel WebSocket'), 'the gateway to connect once the slots are free', 20_000);
    } finally {
      await session?.close();
      gateway.kill('SIGTERM');
      await exited;
      await broker.close();
      await new Promise((resolve) => out.end(resolve));
      await new Promise((resolve) => brokerLog.end(resolve));
    }
    const refusedByBroker = broker.stats().rejected['429'];
    expect(refusedByBroker).toBeGreaterThanOrEqual(9);

    const { code, stdout } = await stormcheck(['verify', gatewayLog, '--reporter', 'json']);
    const report = JSON.parse(stdout) as VerifyReport;
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(code).toBe(0);
    const refusals = report.findings.filter((f) => f.rule === 'broker-429');
    expect(refusals).toEqual([expect.objectContaining({ severity: 'warning', count: refusedByBroker })]);
    expect(refusals[0].message).toContain(`refused ${refusedByBroker} handshake(s) for user demo (angel)`);

    const brokerSide = JSON.parse((await stormcheck(['verify', brokerLogFile, '--reporter', 'json'])).stdout) as VerifyReport;
    expect(brokerSide.findings).toEqual([expect.objectContaining({ rule: 'broker-429', severity: 'warning', count: refusedByBroker, user: DEMO_USER.clientCode })]);
  });
});
