import { writeFile } from 'node:fs/promises';
import { UsageError } from '../../../contract/usage-error.ts';
import type { PageModel } from './page-model.ts';
import { renderPage } from './render-page.ts';

/**
 * Writes the report page to `path`; a path that cannot be written is the user's to fix (exit 2, one
 * line naming the option), never a crash after the run's work is done.
 */
export async function writePage(path: string, model: PageModel, option: string): Promise<void> {
  try {
    await writeFile(path, renderPage(model));
  } catch (err) {
    throw new UsageError(`cannot write ${option} ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}
