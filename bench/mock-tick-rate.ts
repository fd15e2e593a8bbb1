import { WebSocket } from 'ws';

/**
 * One measurement for the mock-faults-idle benchmark, in its own process: loads the mock broker from a
 * built `dist/` (this build or `--baseline-dist`), subscribes one client to 1000 tokens in two modes with
 * a 1 ms tick interval (so the tick pump runs flat out), and prints the ticks sent per second over the
 * window as one JSON line. `idle` first injects lasting faults and removes them, so the broker has had
 * faults and has none active.
 */
const [dist, variant, secondsText] = process.argv.slice(2) as [string, 'fresh' | 'idle', string];
const { startMockBroker } = (await import(`${dist}/mock-broker/index.js`)) as typeof import('../mock-broker/index.ts');

const broker = await startMockBroker({ port: 0, tickMs: 1, logLevel: 'silent' });
if (variant === 'idle') {
  broker.inject({ type: 'latency', ms: 5 });
  broker.inject({ type: 'half-open', clientCode: 'SOMEONE-ELSE' });
  broker.removeAllFaults();
}
const client = new WebSocket(broker.url, { headers: { Authorization: 'Bearer jwt', 'x-api-key': 'k', 'x-client-code': 'BENCH', 'x-feed-token': 'f' } });
await new Promise((resolve) => client.once('open', resolve));
const tokens = Array.from({ length: 1000 }, (_, i) => String(1000 + i));
for (const mode of [1, 3]) client.send(JSON.stringify({ correlationID: `m${mode}`, action: 1, params: { mode, tokenList: [{ exchangeType: 1, tokens }] } }));

await new Promise((resolve) => setTimeout(resolve, 1000));
const from = { ticks: broker.stats().ticksSent, at: performance.now() };
await new Promise((resolve) => setTimeout(resolve, Number(secondsText) * 1000));
const ticksPerSecond = ((broker.stats().ticksSent - from.ticks) * 1000) / (performance.now() - from.at);
process.stdout.write(`${JSON.stringify({ ticksPerSecond })}\n`);
client.terminate();
await broker.close();
