import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Caches kept in TMPDIR on purpose, for every later run: tsx's compiled sources (`tsx-<uid>`). */
const CACHES = /^tsx-\d+$/;

/** Set while one run's folder is in use, so a second project's set-up in the same run adds no other. */
const RUN_FOLDER = 'STORMCHECK_TEST_TMPDIR';

/**
 * Vitest global set-up of every project: the run's tests, and the CLIs and servers they start, get
 * TMPDIR pointing at a fresh folder of their own (workers and children inherit the environment). At the
 * end the folder must be empty: anything left is a temporary file or folder some test or command failed
 * to remove, named in the failure. A shared /tmp cannot be compared before and after while other runs
 * write to it; a folder of the run's own can.
 */
export default function temporaryFolderCheck(): (() => void) | undefined {
  if (process.env[RUN_FOLDER] !== undefined) return undefined;
  const folder = mkdtempSync(path.join(tmpdir(), 'stormcheck-test-run-'));
  const previous = process.env.TMPDIR;
  process.env[RUN_FOLDER] = folder;
  process.env.TMPDIR = folder;
  return () => {
    const left = readdirSync(folder).filter((name) => !CACHES.test(name));
    rmSync(folder, { recursive: true, force: true });
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    delete process.env[RUN_FOLDER];
    if (left.length > 0) {
      // Vitest reports an error thrown here but still exits 0, so the exit code is set as well.
      process.exitCode = 1;
      throw new Error(`the test run left ${left.length} temporary entries behind: ${left.slice(0, 10).join(', ')}`);
    }
  };
}
