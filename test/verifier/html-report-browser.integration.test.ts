import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chromiumPerFile, drawnCharts, TEST_OUTPUT } from '../support/chromium-page.ts';
import { stormcheck } from '../support/run-stormcheck.ts';

const FIXTURES = new URL('../../fixtures/logs/', import.meta.url).pathname;

const rig = chromiumPerFile();

/** Runs `stormcheck verify --reporter html=…` on `logs` and returns the page's path. */
async function verifyPage(logs: string[], name: string): Promise<string> {
  const out = path.join(rig.temp.dir, `${name}.html`);
  const run = await stormcheck(['verify', ...logs, '--reporter', `html=${out}`]);
  expect(run.stderr).toBe('');
  expect([0, 1]).toContain(run.code);
  return out;
}

describe('HTML report in headless Chromium', () => {
  it('verify page of the incident log: no console error, no request, a drawn chart, evidence on click', async () => {
    const log = path.join(FIXTURES, 'incident.log');
    const { page, errors, requests } = await rig.chromium.open(await verifyPage([log], 'verify-incident'));
    expect(errors).toEqual([]);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatch(/^file:/);

    const charts = await drawnCharts(page);
    expect(charts).toHaveLength(1);
    expect(charts[0].labels).toEqual(['upstream attempts/s', '429 refusals/s', 'retries/s (all but attempt 1)', 'adapters alive']);
    expect(charts[0].canvases).toBe(1);
    const attemptsDrawn = await page.evaluate(() => {
      const c = (window as unknown as { stormcheckCharts: { data: (number | null)[][] }[] }).stormcheckCharts[0];
      return (c.data[1] as number[]).reduce((a, v) => a + v, 0);
    });
    const attemptLines = (await readFile(log, 'utf8')).split('\n').filter((l) => l.includes('Connecting to Angel WebSocket')).length;
    expect(attemptsDrawn).toBe(attemptLines);

    await page.click('button.range.tone-error');
    const evidence = await page.$$eval('#evidence .evidence-ref', (els) => els.map((e) => e.textContent));
    const texts = await page.$$eval('#evidence .evidence-text', (els) => els.map((e) => e.textContent));
    expect(evidence.length).toBeGreaterThan(0);
    const [file, line] = [evidence[0]!.slice(0, evidence[0]!.lastIndexOf(':')), Number(evidence[0]!.split(':').pop())];
    expect(file).toBe(log);
    expect(texts[0]).toBe((await readFile(log, 'utf8')).split('\n')[line - 1]);
    expect(await page.$eval('#evidence', (e) => (e as HTMLElement).hidden)).toBe(false);
    await page.screenshot({ path: path.join(TEST_OUTPUT, 'verify-incident.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('logs three months apart: the idle stretch is cut, marked, and the axis names true times of both months (issue 21)', async () => {
    const line = (date: string, ms: number) => `[${date} 09:45:${String(Math.floor(ms / 1000)).padStart(2, '0')},${String(ms % 1000).padStart(3, '0')}] INFO in angel_adapter: Connecting to Angel WebSocket (attempt 1)`;
    const burst = (date: string) => Array.from({ length: 30 }, (_, i) => line(date, i * 20));
    const log = await rig.temp.file('months.log', `${[...burst('2025-11-11'), ...burst('2026-02-09')].join('\n')}\n`);
    const { page, errors } = await rig.chromium.open(await verifyPage([log], 'verify-months'));
    expect(errors).toEqual([]);
    // The x axis is labelled in true UTC times: the first point in November, the last in February.
    const labels = await page.evaluate(() => {
      type Axis = { values: (u: unknown, splits: number[], i: number, space: number, incr: number) => string[] };
      const c = (window as unknown as { stormcheckCharts: { data: number[][]; axes: Axis[] }[] }).stormcheckCharts[0];
      return c.axes[0].values(c, [c.data[0][0], c.data[0][c.data[0].length - 1]], 0, 0, 1);
    });
    expect(labels).toEqual(['11-11 09:45:00', '02-09 09:45:00']);
    const drawn = await page.evaluate(() => {
      const c = (window as unknown as { stormcheckCharts: { data: (number | null)[][] }[] }).stormcheckCharts[0];
      return Math.max(...(c.data[1] as number[]));
    });
    expect(drawn).toBe(30);
    await page.screenshot({ path: path.join(TEST_OUTPUT, 'verify-months.png'), fullPage: true });
  });

  it('a log with a single event still draws one point', async () => {
    const log = await rig.temp.file('one.log', '[2025-11-11 09:45:49,185] INFO in angel_adapter: Connecting to Angel WebSocket (attempt 1)\n');
    const { page, errors } = await rig.chromium.open(await verifyPage([log], 'verify-one'));
    const charts = await drawnCharts(page);
    expect(errors).toEqual([]);
    expect(charts).toHaveLength(1);
    expect(charts[0].points[0]).toBe(1);
  });

  it('a log whose events share one timestamp is drawn by line order, and the page says so', async () => {
    const line = '[2025-11-11 09:45:49,185] INFO in angel_adapter: Connecting to Angel WebSocket (attempt 1)\n';
    const log = await rig.temp.file('same-time.log', line.repeat(6));
    const { page, errors } = await rig.chromium.open(await verifyPage([log], 'verify-same-time'));
    expect(errors).toEqual([]);
    expect(await page.$eval('.notes', (e) => e.textContent)).toContain('drawn by the order of the log lines');
    const charts = await drawnCharts(page);
    expect(charts[0].points[0]).toBe(6);
  });

  it('reproduce --html: one chart per registry with broker and gateway series drawn, phases and findings clickable', async () => {
    const out = path.join(rig.temp.dir, 'reproduce.html');
    const run = await stormcheck(['reproduce', '--duration', '2s', '--clients', '6', '--html', out]);
    expect(run.stderr).toBe('');
    expect([0, 1]).toContain(run.code);
    const { page, errors, requests } = await rig.chromium.open(out);
    expect(errors).toEqual([]);
    expect(requests).toHaveLength(1);
    expect(await page.$$eval('.column h2', (els) => els.map((e) => e.textContent))).toEqual(['legacy-2025', 'legacy-2026', 'singleton']);
    const charts = await drawnCharts(page);
    expect(charts).toHaveLength(3);
    for (const c of charts) {
      expect(c.labels).toContain("upstream connections open (broker, the deployment's own)");
      expect(c.labels).toContain('slots held by another app (broker)');
      expect(c.points.every((n) => n > 0)).toBe(true);
    }
    const legacyHandshakes = await page.evaluate(() => {
      const c = (window as unknown as { stormcheckCharts: { data: (number | null)[][] }[] }).stormcheckCharts[0];
      return (c.data[1] as (number | null)[]).some((v) => (v ?? 0) > 0);
    });
    expect(legacyHandshakes).toBe(true);
    await page.click('button.range:not(.tone-phase)');
    expect(await page.$$eval('#evidence .evidence-ref', (els) => els.length)).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(TEST_OUTPUT, 'reproduce.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 60_000);

  it('verify with html= to an unwritable path exits 2 with one line, and the other reporters still write', async () => {
    const json = path.join(rig.temp.dir, 'beside.json');
    const aFile = path.join(rig.temp.dir, 'a-file');
    await writeFile(aFile, 'not a folder');
    const run = await stormcheck([
      'verify', path.join(FIXTURES, 'healthy-2025.log'), '--reporter', `html=${path.join(aFile, 'r.html')}`, '--reporter', `json=${json}`,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('cannot write --reporter html=');
    expect(JSON.parse(await readFile(json, 'utf8')).verdict).toBe('pass');
  });

  it('verify with html= and a clean log exits 0 as without it', async () => {
    const out = path.join(rig.temp.dir, 'clean.html');
    const run = await stormcheck(['verify', path.join(FIXTURES, 'healthy-2025.log'), '--reporter', `html=${out}`]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    const { page, errors } = await rig.chromium.open(out);
    expect(errors).toEqual([]);
    expect(await page.$eval('.verdict', (e) => e.textContent)).toMatch(/^PASS/);
  });

  it('reproduce --html to an unwritable path exits 2 with one line before running', async () => {
    const aFile = path.join(rig.temp.dir, 'not-a-folder');
    await writeFile(aFile, 'not a folder');
    const run = await stormcheck(['reproduce', '--duration', '2s', '--html', path.join(aFile, 'r.html')]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('cannot write --html');
    expect(run.stderr.trim()).toMatch(/: E[A-Z]+$/);
  });
});
