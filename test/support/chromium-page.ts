import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

/** Debian's package; `.ci/run` installs it with apt when missing. */
export const CHROMIUM = process.env.STORMCHECK_CHROMIUM ?? '/usr/bin/chromium';

/** Screenshots for humans to look at; gitignored. */
export const TEST_OUTPUT = new URL('../../test-output/', import.meta.url).pathname;

// Everything that could reach the network on its own is off, so a request the test sees is the page's.
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface OpenedReport {
  page: Page;
  /** Console errors and uncaught exceptions, in order. */
  errors: string[];
  /** Every URL the page requested, the report file itself included. */
  requests: string[];
}

/** One headless Chromium with a fresh profile, closed (profile removed) by `close`. */
export async function launchChromium(): Promise<{ open: (file: string) => Promise<OpenedReport>; close: () => Promise<void> }> {
  await mkdir(TEST_OUTPUT, { recursive: true });
  const profile = await mkdtemp(path.join(tmpdir(), 'stormcheck-chromium-'));
  let browser: Browser;
  try {
    browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: [...FLAGS, `--user-data-dir=${profile}`] });
  } catch (err) {
    await rm(profile, { recursive: true, force: true });
    throw err;
  }
  return {
    open: async (file) => {
      const page = await browser.newPage();
      await page.setViewport({ width: 1400, height: 900 });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      return { page, errors, requests };
    },
    close: async () => {
      await browser.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** What each uPlot instance of the page drew: its series labels and, per series, the points with a value. */
export async function drawnCharts(page: Page): Promise<{ labels: string[]; points: number[]; canvases: number }[]> {
  return page.evaluate(() => {
    const charts = (window as unknown as { stormcheckCharts: { series: { label: string }[]; data: (number | null)[][]; root: HTMLElement }[] })
      .stormcheckCharts;
    return charts.map((c) => ({
      labels: c.series.slice(1).map((s) => s.label),
      points: c.data.slice(1).map((d) => d.filter((v) => v !== null && v !== undefined).length),
      canvases: c.root.querySelectorAll('canvas').length,
    }));
  });
}
