import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll } from 'vitest';
import { tempDir, type TempDir } from './run-stormcheck.ts';

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

export interface Chromium {
  open: (file: string) => Promise<OpenedReport>;
  close: () => Promise<void>;
}

/**
 * One Chromium and one temporary folder for all tests of the calling file, both gone after its last
 * test: a browser takes a second or two to start on a loaded machine.
 */
export function chromiumPerFile(): { readonly chromium: Chromium; readonly temp: TempDir } {
  let chromium: Chromium | undefined;
  let temp: TempDir | undefined;
  beforeAll(async () => {
    chromium = await launchChromium();
    temp = await tempDir();
  });
  afterAll(async () => {
    await chromium?.close();
    await temp?.cleanup();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('chromiumPerFile(): Chromium runs only while the file\'s tests do');
    return value;
  };
  return {
    get chromium() {
      return ready(chromium);
    },
    get temp() {
      return ready(temp);
    },
  };
}

/** One headless Chromium with a fresh profile, closed (profile removed) by `close`. */
export async function launchChromium(): Promise<Chromium> {
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
