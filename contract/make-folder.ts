import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * `mkdir -p`: creates `path` and its missing parents, one level at a time. Node's
 * `mkdir(path, { recursive: true })` never returns for a path under /proc (its libuv loop retries the
 * ENOENT there for ever), which turned `--html /proc/nope/x.html` into a CPU spin; here that is the
 * ENOENT of the first level that cannot be made.
 */
export async function makeFolder(path: string): Promise<void> {
  const missing: string[] = [];
  for (let at = path; !(await exists(at)); at = dirname(at)) {
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  for (const folder of missing) {
    await mkdir(folder).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
