import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandPaths, type ExpandedEntry, type ExpandedPath } from '../../verifier/input/expand-paths.ts';
import { tempDirPerTest } from '../support/run-stormcheck.ts';

const tmp = tempDirPerTest();

async function files(names: string[]): Promise<void> {
  for (const name of names) {
    await mkdir(path.dirname(path.join(tmp.dir, name)), { recursive: true });
    await writeFile(path.join(tmp.dir, name), 'x\n');
  }
}

async function collect(entries: AsyncIterable<ExpandedEntry>): Promise<ExpandedPath[]> {
  const found: ExpandedPath[] = [];
  for await (const e of entries) if (!('unreadable' in e)) found.push(e);
  return found;
}

const rel = (found: ExpandedPath[]) => found.map((f) => path.relative(tmp.dir, f.path));

describe('expandPaths walks while the run reads', () => {
  it("yields a folder's files before the next folder is listed (100,000 files are never planned at once)", async () => {
    await files(['d0/a.log', 'd1/b.log']);
    const seen: string[] = [];
    for await (const e of expandPaths([tmp.dir])) {
      if ('unreadable' in e) continue;
      seen.push(path.relative(tmp.dir, e.path));
      // Written after the first file was handed out: a walk that listed everything first misses it.
      if (seen.length === 1) await writeFile(path.join(tmp.dir, 'd1', 'c.log'), 'x\n');
    }
    expect(seen).toEqual(['d0/a.log', 'd1/b.log', 'd1/c.log']);
  });

  it('goes folder by folder, shallowest first, each in name order with numbered rotations oldest first', async () => {
    await files(['b/deep/z.log', 'a/app.log', 'a/app.log.1', 'a/app.log.2.gz', 'top.log', 'b/x.log']);
    expect(rel(await collect(expandPaths([tmp.dir])))).toEqual(['top.log', 'a/app.log.2.gz', 'a/app.log.1', 'a/app.log', 'b/x.log', 'b/deep/z.log']);
  });

  it('ends a group at its last rotation, unless a later path may add to it', async () => {
    await files(['logs/app.log', 'logs/app.log.1', 'logs/other.log', 'more/app.log.2']);
    const logs = path.join(tmp.dir, 'logs');
    const ends = (found: ExpandedPath[]) => found.map((f) => [path.relative(tmp.dir, f.path), f.endsGroup]);
    expect(ends(await collect(expandPaths([logs])))).toEqual([
      ['logs/app.log.1', false],
      ['logs/app.log', true],
      ['logs/other.log', true],
    ]);
    // A file named first stays open while the folder holding its other rotations is still to come.
    expect(ends(await collect(expandPaths([`${logs}/app.log.1`, logs])))).toEqual([
      ['logs/app.log.1', false],
      ['logs/app.log', true],
      ['logs/other.log', true],
    ]);
    // A glob's group stays open while a later named file may belong to it.
    expect(ends(await collect(expandPaths([`${logs}/*.1`, `${logs}/app.log`])))).toEqual([
      ['logs/app.log.1', false],
      ['logs/app.log', true],
    ]);
  });

  it('names a file reachable through a link by the path with the fewest folders', async () => {
    await files(['real/a/b/app.log']);
    await symlink(path.join(tmp.dir, 'real', 'a', 'b'), path.join(tmp.dir, 'real', 'z-link'));
    expect(rel(await collect(expandPaths([path.join(tmp.dir, 'real')])))).toEqual(['real/z-link/app.log']);
  });

  it('reads each file once however often it is reached: a folder given twice or inside another, a named file, a link', async () => {
    await files(['logs/a.log', 'logs/sub/b.log', 'other/c.log']);
    await symlink(path.join(tmp.dir, 'logs', 'a.log'), path.join(tmp.dir, 'other', 'link-to-a.log'));
    await symlink(path.join(tmp.dir, 'other', 'c.log'), path.join(tmp.dir, 'logs', 'link-to-c.log'));
    const logs = path.join(tmp.dir, 'logs');
    const other = path.join(tmp.dir, 'other');
    const found = rel(await collect(expandPaths([logs, `${logs}/sub`, `${logs}/a.log`, other, logs, `${other}/c.log`])));
    expect(found).toEqual(['logs/a.log', 'logs/link-to-c.log', 'logs/sub/b.log']);
    // Named first, a file is not read again where a walk lists it or a link reaches it.
    expect(rel(await collect(expandPaths([`${other}/c.log`, `${logs}/a.log`, logs, other])))).toEqual(['other/c.log', 'logs/a.log', 'logs/sub/b.log']);
  });

  it('fails on a missing path before yielding anything', async () => {
    await files(['a.log']);
    const it = expandPaths([path.join(tmp.dir, 'a.log'), path.join(tmp.dir, 'missing.log')]);
    await expect(it.next()).rejects.toThrow(/cannot read .*missing\.log: ENOENT; check the path/);
  });
});
