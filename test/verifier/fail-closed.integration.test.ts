import { chmod, copyFile, mkdir, readFile, symlink } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../verifier/index.ts';
import { oa, stormcheck, tempDirPerTest } from '../support/run-stormcheck.ts';

const INCIDENT = new URL('../../fixtures/logs/incident.log', import.meta.url).pathname;
// The suites run as root, whom no permission stops: the CLI is spawned as this unprivileged user.
const NOBODY = { uid: 65534, gid: 65534 };

const tmp = tempDirPerTest();

const healthy = `${oa(0, 'Creating NEW angel adapter for user rajandran', 'INFO', 'broker_factory')}\n${oa(300, 'Connected to Angel WebSocket')}\n`;

/** A log folder every user may read, except what a test then locks. */
async function openFolder(): Promise<string> {
  const logs = path.join(tmp.dir, 'logs');
  await mkdir(logs);
  // The suite's own temporary folder (TMPDIR) is private to root: the other user needs to pass through it.
  await chmod(path.dirname(tmp.dir), 0o711);
  await chmod(tmp.dir, 0o755);
  await chmod(logs, 0o755);
  await chmod(await tmp.file('logs/app.log', healthy), 0o644);
  return logs;
}

describe('stormcheck verify fails closed on what it cannot read', () => {
  it('a storm log in an unreadable sub-folder does not pass: exit 2 naming it; --skip-unreadable judges the rest and counts it', async () => {
    const logs = await openFolder();
    await mkdir(path.join(logs, 'locked'));
    await copyFile(INCIDENT, path.join(logs, 'locked', 'storm.log'));
    await chmod(path.join(logs, 'locked'), 0o700);

    const closed = await stormcheck(['verify', logs], NOBODY);
    expect(closed.code).toBe(2);
    expect(closed.stdout).toContain(`unreadable ${logs}/locked: permission denied (EACCES)`);
    expect(closed.stderr).toContain('--skip-unreadable');

    const glob = await stormcheck(['verify', `${logs}/**/*.log`, '--reporter', 'json'], NOBODY);
    expect(glob.code).toBe(2);
    expect((JSON.parse(glob.stdout) as VerifyReport).unreadable).toEqual([{ file: `${logs}/locked`, reason: 'permission denied (EACCES)' }]);

    const skipped = await stormcheck(['verify', logs, '--skip-unreadable', '--reporter', 'json'], NOBODY);
    expect(skipped.code).toBe(0);
    const report = JSON.parse(skipped.stdout) as VerifyReport;
    expect(report.verdict).toBe('pass');
    expect(report.unreadableCount).toBe(1);
  });

  it('a storm log named in a folder that can be searched but not listed is still read, beside the folder walked', async () => {
    const logs = await openFolder();
    const locked = path.join(logs, 'locked');
    await mkdir(locked);
    await copyFile(INCIDENT, path.join(locked, 'storm.log'));
    await chmod(path.join(locked, 'storm.log'), 0o644);
    await chmod(locked, 0o711);
    const { code, stdout } = await stormcheck(['verify', logs, path.join(locked, 'storm.log'), '--skip-unreadable', '--reporter', 'json'], NOBODY);
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as VerifyReport;
    expect(report.unreadable).toEqual([{ file: locked, reason: 'permission denied (EACCES)' }]);
    expect(report.findings).toContainEqual(expect.objectContaining({ rule: 'connect-storm', input: path.join(locked, 'storm.log') }));
  });

  it('an unreadable file found in a folder is named with its reason, in every reporter', async () => {
    const logs = await openFolder();
    await chmod(await tmp.file('logs/secret.log', healthy), 0o600);
    const closed = await stormcheck(['verify', logs], NOBODY);
    expect(closed.code).toBe(2);
    expect(closed.stdout).toContain(`unreadable ${logs}/secret.log: permission denied (EACCES)`);
    const junit = await stormcheck(['verify', logs, '--skip-unreadable', '--reporter', 'junit'], NOBODY);
    expect(junit.code).toBe(0);
    expect(junit.stdout).toContain('<skipped message="1 unreadable entry skipped (--skip-unreadable)">');
    const github = await stormcheck(['verify', logs, '--skip-unreadable', '--reporter', 'github'], NOBODY);
    expect(github.stdout).toContain(`::warning title=stormcheck verify::1 unreadable skipped (--skip-unreadable): ${logs}/secret.log: permission denied (EACCES)`);
    const text = await stormcheck(['verify', logs, '--skip-unreadable'], NOBODY);
    expect(text.stdout).toContain('1 unreadable skipped (--skip-unreadable)');
    const summary = await stormcheck(['verify', logs, '--skip-unreadable', '--reporter', 'summary'], NOBODY);
    expect(summary.stdout).toContain('1 unreadable entry skipped (--skip-unreadable)');
    const sarif = await stormcheck(['verify', logs, '--skip-unreadable', '--reporter', 'sarif'], NOBODY);
    expect(JSON.parse(sarif.stdout).runs[0].properties.unreadableCount).toBe(1);
  });

  it('dangling links, link loops and paths too long inside a folder are reported, not skipped in silence', async () => {
    const logs = await openFolder();
    await symlink('gone.log', path.join(logs, 'dangling.log'));
    await symlink('loop-b.log', path.join(logs, 'loop-a.log'));
    await symlink('loop-a.log', path.join(logs, 'loop-b.log'));
    // A name longer than any file system allows (255 bytes), as a link's target.
    await symlink('x'.repeat(300), path.join(logs, 'long-name.log'));

    const { code, stdout } = await stormcheck(['verify', logs, '--reporter', 'json']);
    expect(code).toBe(2);
    const report = JSON.parse(stdout) as VerifyReport;
    const reasons = Object.fromEntries(report.unreadable.map((u) => [path.basename(u.file), u.reason]));
    expect(reasons).toEqual({
      'dangling.log': 'dangling symbolic link (ENOENT)',
      'loop-a.log': 'symbolic link loop (ELOOP)',
      'loop-b.log': 'symbolic link loop (ELOOP)',
      'long-name.log': 'path longer than the system allows (ENAMETOOLONG)',
    });
    expect(report.error?.code).toBe('UNREADABLE');
  });
});

describe('stormcheck verify: file names with any character', () => {
  it('a newline or U+2028 in a file name is escaped in every reporter, and the run judges the file', async () => {
    await tmp.file('new\nline.log', await readFile(INCIDENT));
    await tmp.file('line\u2028sep.log', healthy);
    for (const reporter of ['text', 'json', 'junit', 'github', 'sarif', 'summary']) {
      const { code, stdout } = await stormcheck(['verify', tmp.dir, '--reporter', reporter]);
      expect(code, reporter).toBe(1);
      expect(stdout, reporter).not.toContain('\u2028');
      expect(stdout, reporter).not.toContain('new\nline');
    }
    const { stdout } = await stormcheck(['verify', tmp.dir]);
    expect(stdout).toContain('new\\nline.log');
    expect(stdout).toContain('line\\u2028sep.log');
  });
});
