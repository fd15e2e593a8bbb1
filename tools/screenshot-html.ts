import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';

/**
 * `node --import tsx tools/screenshot-html.ts PAGE.html OUT.png`: the picture of an HTML report the docs
 * show (docs/images/reproduce-html.png), taken by headless Chromium at the 1400×900 viewport the browser
 * tests use. `STORMCHECK_CHROMIUM` names another browser than /usr/bin/chromium.
 */
const [page, out] = process.argv.slice(2);
if (page === undefined || out === undefined) {
  process.stderr.write('usage: node --import tsx tools/screenshot-html.ts PAGE.html OUT.png\n');
  process.exit(2);
}
const profile = await mkdtemp(path.join(tmpdir(), 'stormcheck-screenshot-'));
const browser = await puppeteer.launch({
  executablePath: process.env.STORMCHECK_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', `--user-data-dir=${profile}`],
});
try {
  const tab = await browser.newPage();
  await tab.setViewport({ width: 1400, height: 900 });
  await tab.goto(pathToFileURL(path.resolve(page)).href, { waitUntil: 'load' });
  await tab.screenshot({ path: out as `${string}.png` });
} finally {
  await browser.close();
  await rm(profile, { recursive: true, force: true });
}
