import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';
import { spawnSync } from 'node:child_process';
import { generateOpenAlgoLog } from './openalgo-log-generator.ts';
import type { Benchmark, BenchTable } from './table.ts';
import { BUILT_CLI } from './built-cli.ts';

const GIB = 1 << 30;
const TARGET_OPEN_S = 3;
const TARGET_HTML_MB = 5;
const CHROMIUM = process.env.STORMCHECK_CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : fallback;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/**
 * The target: the verify HTML report of the 1 GiB bench log opens in Chromium in under 3 s and
 * stays under ~5 MB. "Opens" is navigation start until every chart has been drawn and a frame painted;
 * the same-run baseline is the same page with its scripts (data, uPlot, page script) removed, so the
 * ratio is what drawing the charts costs on top of laying out the page and its text tables.
 */
export const htmlReportOpen: Benchmark = {
  name: 'html-report-open',
  description: 'verify --reporter html on a generated OpenAlgo log, opened in headless Chromium',
  async run(args: string[]): Promise<BenchTable> {
    const runs = Math.max(3, Math.floor(option(args, 'runs', 5)));
    const bytes = Math.floor(option(args, 'gib', 1) * GIB);
    const dir = await mkdtemp(path.join(tmpdir(), 'stormcheck-bench-html-'));
    const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: [...FLAGS, `--user-data-dir=${path.join(dir, 'profile')}`] });
    try {
      const log = path.join(dir, 'openalgo.log');
      process.stderr.write(`bench: generating ${(bytes / GIB).toFixed(2)} GiB log in ${dir}\n`);
      const gen = await generateOpenAlgoLog(log, bytes);
      const html = path.join(dir, 'report.html');
      const json = path.join(dir, 'report.json');
      const started = process.hrtime.bigint();
      const verify = spawnSync(process.execPath, [BUILT_CLI, 'verify', log, '--reporter', `html=${html}`, '--reporter', `json=${json}`], { stdio: 'inherit' });
      if (verify.status !== 0 && verify.status !== 1) throw new Error(`stormcheck verify exited ${verify.status} on the generated log`);
      const buildS = Number(process.hrtime.bigint() - started) / 1e9;
      const report = JSON.parse(await readFile(json, 'utf8')) as { findings: unknown[] };
      const htmlBytes = (await stat(html)).size;
      const baseline = path.join(dir, 'baseline.html');
      await writeFile(baseline, (await readFile(html, 'utf8')).replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, ''));

      const baselineBytes = (await stat(baseline)).size;
      const openOnce = async (file: string, charts: boolean): Promise<number> => {
        const page = await browser.newPage();
        await page.setViewport({ width: 1400, height: 900 });
        const t0 = process.hrtime.bigint();
        await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
        if (charts) await page.waitForFunction(() => Array.isArray((window as unknown as { stormcheckCharts?: unknown[] }).stormcheckCharts));
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
        const s = Number(process.hrtime.bigint() - t0) / 1e9;
        await page.close();
        return s;
      };
      const times = { report: [] as number[], baseline: [] as number[] };
      for (let i = 0; i < runs; i++) {
        process.stderr.write(`bench: open ${i + 1}/${runs}\n`);
        times.baseline.push(await openOnce(baseline, false));
        times.report.push(await openOnce(html, true));
      }
      const open = median(times.report);
      const base = median(times.baseline);
      const mb = htmlBytes / 1e6;
      return {
        title: `HTML report: ${(gen.bytes / GIB).toFixed(2)} GiB log, ${gen.lines} lines, ${report.findings.length} findings; open: median of ${runs}`,
        columns: ['page', 'size MB', 'open s', 'x baseline'],
        rows: [
          ['verify report (charts drawn)', mb.toFixed(2), open.toFixed(2), (open / base).toFixed(2)],
          ['baseline (same page, scripts removed)', (baselineBytes / 1e6).toFixed(2), base.toFixed(2), '1.00'],
        ],
        notes: [
          `target: opens in < ${TARGET_OPEN_S} s: ${open < TARGET_OPEN_S ? 'met' : 'MISSED'} (${open.toFixed(2)} s)`,
          `target: < ~${TARGET_HTML_MB} MB: ${mb < TARGET_HTML_MB ? 'met' : 'MISSED'} (${mb.toFixed(2)} MB)`,
          `stormcheck verify --reporter html=… --reporter json=…: ${buildS.toFixed(1)} s`,
        ],
        data: { times, htmlBytes, buildS },
      };
    } finally {
      await browser.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
