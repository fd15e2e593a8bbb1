import { appendFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../verifier/index.ts';
import { adapter429, connecting, goodbye429, oa } from '../support/log-shapes.ts';
import { tempDirPerTest } from '../support/run-stormcheck.ts';
import { scrapeUntil, startAlarmProcess } from '../support/alarm-process.ts';

const REFUSALS = /^stormcheck_findings\{rule="broker-429",[^}]*\} (\d+)$/gm;
const LINES_READ = /^stormcheck_lines_read_total (\d+)$/m;

const tmp = tempDirPerTest();

/** The lines behind every broker-429 series of a scrape. */
function refusalsIn(metrics: string): number {
  return [...metrics.matchAll(REFUSALS)].reduce((n, m) => n + Number(m[1]), 0);
}

/** `verify --follow --metrics` (with `options`) on a log holding one unrelated line, once it has read that line. */
async function followedLog(...options: string[]) {
  const log = await tmp.file('app.log', `${oa(0, 'Heartbeat', 'INFO', 'server')}\n`);
  const alarm = await startAlarmProcess(['verify', log, '--follow', '--metrics', '127.0.0.1:0', '--reporter', 'json', ...options]);
  await scrapeUntil(alarm.url, (t) => LINES_READ.exec(t)?.[1] === '1');
  return { log, ...alarm };
}

/**
 * websocket-client's `… - goodbye` line is held until the next line, which may be the adapter's line about the
 * same refusal (docs/rules.md#one-refusal-per-handshake), and an attempt is judged unanswered only once
 * answer-time of log has followed it; a followed log that goes quiet after either must still count it
 * (docs/verify.md#the-production-alarm---follow---metrics).
 */
describe('stormcheck verify --follow lets a held line through when the log goes quiet', () => {
  it('a goodbye refusal as the last line raises the alarm and is told on stderr without another line', async () => {
    const { log, url, child, stdout, stderr, exited } = await followedLog();
    await appendFile(log, `${connecting(900, 1)}\n${goodbye429(1_000)}\n`);
    const raised = await scrapeUntil(url, (t) => refusalsIn(t) > 0);
    expect(raised).toMatch(/^stormcheck_findings\{rule="broker-429",[^}]*broker="angel"\} 1$/m);
    expect(raised).toMatch(/^stormcheck_lines_read_total 3$/m);
    const told = /^stormcheck verify: new \w+ broker-429 broker angel at .*app\.log:3: /m;
    // The test's own timeout bounds the wait.
    while (!told.test(stderr())) await sleep(50);
    child.kill('SIGINT');
    await exited;
    const report = JSON.parse(stdout()) as VerifyReport;
    expect(report.findings).toEqual([expect.objectContaining({ rule: 'broker-429', count: 1, broker: 'angel' })]);
  });

  it('a goodbye and the adapter line about the same refusal, read 100 ms apart, stay one refusal', async () => {
    const { log, url, child, stdout, exited } = await followedLog();
    // No line before the goodbye names a broker: let through alone it would count under none, apart from the adapter's line.
    await appendFile(log, `${goodbye429(1_000)}\n`);
    await sleep(100);
    await scrapeUntil(url, (t) => LINES_READ.exec(t)?.[1] === '2');
    await appendFile(log, `${adapter429(1_000)}\n`);
    const raised = await scrapeUntil(url, (t) => LINES_READ.exec(t)?.[1] === '3' && refusalsIn(t) > 0);
    expect(refusalsIn(raised)).toBe(1);
    expect(raised).toMatch(/^stormcheck_findings\{rule="broker-429",[^}]*broker="angel"\} 1$/m);
    child.kill('SIGINT');
    await exited;
    const report = JSON.parse(stdout()) as VerifyReport;
    expect(report.findings).toEqual([expect.objectContaining({ rule: 'broker-429', count: 1, broker: 'angel' })]);
    expect(report.timeline.reduce((n, m) => n + m.refusals, 0)).toBe(1);
  });

  it('attempts no Connected answered, as the last lines, raise connect-unanswered once the log has been quiet for answer-time', async () => {
    const { log, url, child, exited } = await followedLog('--threshold', 'answer-time=1s');
    await appendFile(log, `${[connecting(1_000, 1), connecting(2_000, 2), connecting(3_000, 3)].join('\n')}\n`);
    const raised = await scrapeUntil(url, (t) => /^stormcheck_findings\{rule="connect-unanswered",/m.test(t));
    expect(raised).toMatch(/^stormcheck_findings\{rule="connect-unanswered",[^}]*broker="angel"\} 3$/m);
    expect(raised).toMatch(/^stormcheck_lines_read_total 4$/m);
    child.kill('SIGINT');
    await exited;
  });
});
