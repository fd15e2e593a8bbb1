import { open } from 'node:fs/promises';
import { makeFolder } from '../../../contract/make-folder.ts';
import { dirname } from 'node:path';
import { UsageError } from '../../../contract/usage-error.ts';

/**
 * Checks before a run that `--html FILE` can be written (opened for append, so an existing file is left
 * as it is until the page replaces it): a scenario run takes many seconds, and its page must not be lost
 * to a typo in the path found only at the end. Missing parent folders are created, as for `--output`.
 */
export async function htmlOption(path: string): Promise<string> {
  try {
    await makeFolder(dirname(path));
    await (await open(path, 'a')).close();
  } catch (err) {
    throw new UsageError(`cannot write --html ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return path;
}
