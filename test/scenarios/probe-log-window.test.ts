import { appendFile, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LogWindow } from '../../scenarios/probe/log-window.ts';

const INCIDENT = new URL('../../fixtures/logs/incident.log', import.meta.url);
const HEALTHY = new URL('../../fixtures/logs/healthy-2025.log', import.meta.url);

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = '';
});

async function logFileWith(content: string | Buffer): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'stormcheck-log-window-'));
  const path = join(dir, 'app.log');
  await writeFile(path, content);
  return path;
}

describe('log window: only the bytes a log gained during the probe are verified', () => {
  it('an old storm before the window is ignored; the healthy lines written during it pass', async () => {
    const path = await logFileWith(await readFile(INCIDENT));
    const window = await LogWindow.open(path);
    await appendFile(path, await readFile(HEALTHY));
    const result = await window.read();
    expect(result.checked).toBe(true);
    if (!result.checked) return;
    expect(result.report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(result.report.linesRecognised).toBeGreaterThan(0);
  });

  it('a storm written during the window is found', async () => {
    const path = await logFileWith(await readFile(HEALTHY));
    const window = await LogWindow.open(path);
    await appendFile(path, await readFile(INCIDENT));
    const result = await window.read();
    expect(result.checked).toBe(true);
    if (!result.checked) return;
    expect(result.report.findings.map((f) => f.rule)).toContain('connect-storm');
  });

  it('a log that gained nothing is not judged', async () => {
    const path = await logFileWith(await readFile(HEALTHY));
    const window = await LogWindow.open(path);
    expect(await window.read()).toMatchObject({ checked: false, bytes: 0, reason: expect.stringContaining('gained no lines') });
  });

  it('a log that gained only unrecognisable lines is not judged', async () => {
    const path = await logFileWith('');
    const window = await LogWindow.open(path);
    await appendFile(path, 'hello\nworld\n');
    expect(await window.read()).toMatchObject({ checked: false, reason: expect.stringContaining('none of the 2 lines') });
  });

  it('a log rotated or truncated during the window is not judged', async () => {
    const path = await logFileWith(await readFile(HEALTHY));
    const window = await LogWindow.open(path);
    await truncate(path, 10);
    expect(await window.read()).toMatchObject({ checked: false, reason: expect.stringContaining('shrank') });
  });
});
