import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';

const ROOT = new URL('../..', import.meta.url).pathname;
/** The build's own source roots, so a new top-level folder cannot be forgotten here. */
const SOURCES = [
  ...(JSON.parse(readFileSync(path.join(ROOT, 'tsconfig.build.json'), 'utf8')) as { include: string[] }).include,
  'tools',
  'package.json',
  'tsconfig.json',
  'tsconfig.build.json',
];
const BUILD_STAMP = path.join(ROOT, 'dist', '.tsbuildinfo');

/**
 * Vitest global setup: CLI tests spawn the built `dist/bin/stormcheck.js`, so a test run right after
 * editing a source file rebuilds first. The build is skipped when dist is newer than every source,
 * because even a no-op incremental tsc costs seconds on a shared machine.
 */
export default function buildCli(): void {
  if (newest(SOURCES.map((s) => path.join(ROOT, s))) <= stampTime()) return;
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  // tsc leaves its build info untouched when no output changed, which would make every run rebuild.
  const now = new Date();
  utimesSync(BUILD_STAMP, now, now);
}

function stampTime(): number {
  try {
    return statSync(BUILD_STAMP).mtimeMs;
  } catch {
    return -1;
  }
}

function newest(paths: string[]): number {
  let latest = 0;
  for (const p of paths) {
    const info = statSync(p, { throwIfNoEntry: false });
    if (!info) continue;
    latest = Math.max(latest, info.isDirectory() ? newest(readdirSync(p).map((name) => path.join(p, name))) : info.mtimeMs);
  }
  return latest;
}
