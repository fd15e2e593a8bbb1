import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { wantsColour } from '../../verifier/reporters/colour-choice.ts';
import { inputBytes, progressOnTerminal, progressText } from '../../verifier/progress-line.ts';
import { tempDirPerTest } from '../support/run-stormcheck.ts';

const tmp = tempDirPerTest();

describe('verify progress line', () => {
  it('shows the share of the total bytes and the rate', () => {
    expect(progressText(450e6, 1074e6, 1500)).toBe('stormcheck verify: 41% of 1074 MB, 300 MB/s');
  });

  it('shows bytes read when the total is unknown (stdin, gzip)', () => {
    expect(progressText(120e6, undefined, 2000)).toBe('stormcheck verify: 120 MB read, 60 MB/s');
  });

  it('redraws one terminal line at most every 200 ms and clears it before the report', () => {
    const screen: string[] = [];
    const tty = {
      write: (text: string) => screen.push(text) > 0,
      cursorTo: (x: number) => screen.push(`<col ${x}>`) > 0,
      clearLine: (dir: -1 | 0 | 1) => screen.push(`<clear ${dir}>`) > 0,
    };
    let t = 1000;
    const progress = progressOnTerminal(tty, 100e6, () => t);
    t = 1100;
    progress.update(10e6);
    t = 1200;
    progress.update(20e6);
    t = 1300;
    progress.update(30e6);
    progress.clear();

    expect(screen).toEqual([
      '<col 0>', 'stormcheck verify: 10% of 100 MB, 100 MB/s', '<clear 1>',
      '<col 0>', 'stormcheck verify: 30% of 100 MB, 100 MB/s', '<clear 1>',
      '<col 0>', '<clear 0>',
    ]);
  });
});

describe('verify progress total', () => {
  it('is the bytes of every file the paths stand for, and unknown when a .gz or stdin is among them', async () => {
    await mkdir(path.join(tmp.dir, 'logs', 'sub'), { recursive: true });
    await writeFile(path.join(tmp.dir, 'logs', 'a.log'), 'x'.repeat(10));
    await writeFile(path.join(tmp.dir, 'logs', 'sub', 'b.log'), 'y'.repeat(32));
    expect(await inputBytes([path.join(tmp.dir, 'logs')])).toBe(42);
    await writeFile(path.join(tmp.dir, 'logs', 'c.log.1.gz'), 'z');
    expect(await inputBytes([path.join(tmp.dir, 'logs')])).toBeUndefined();
    expect(await inputBytes(['-'])).toBeUndefined();
  });
});

describe('verify colour', () => {
  it('follows --color/--no-color first, then FORCE_COLOR, then the terminal and NO_COLOR', () => {
    const tty = { isTTY: true, hasColors: () => true };
    const pipe = { isTTY: false };
    expect(wantsColour(true, pipe, {})).toBe(true);
    expect(wantsColour(false, tty, { FORCE_COLOR: '1' })).toBe(false);
    expect(wantsColour(undefined, pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(wantsColour(undefined, pipe, { FORCE_COLOR: '0' })).toBe(false);
    expect(wantsColour(undefined, tty, {})).toBe(true);
    expect(wantsColour(undefined, { isTTY: true, hasColors: () => false }, { NO_COLOR: '1' })).toBe(false);
  });
});
