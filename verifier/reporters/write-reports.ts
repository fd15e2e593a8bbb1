import { writeFile } from 'node:fs/promises';
import { makeFolder } from '../../contract/make-folder.ts';
import path from 'node:path';
import type { VerifyReport } from '../types.ts';
import { render, type RenderOptions, type ReporterTarget } from './index.ts';

/** A target that could not be written, with the reason. */
export interface WriteFailure {
  target: ReporterTarget;
  reason: string;
}

/**
 * Writes the report once per target: files first, each on its own (one unwritable path does not cost
 * the others their document), then the stdout documents in the order given. Colour is only ever used
 * on stdout.
 */
export async function writeReports(
  report: VerifyReport,
  targets: readonly ReporterTarget[],
  opts: RenderOptions,
  stdout: (text: string) => void,
): Promise<WriteFailure[]> {
  const failures: WriteFailure[] = [];
  await Promise.all(
    targets
      .filter((t) => t.path !== undefined)
      .map(async (target) => {
        try {
          await makeFolder(path.dirname(target.path!));
          await writeFile(target.path!, render(report, target.name, { ...opts, colour: false }));
        } catch (err) {
          failures.push({ target, reason: (err as NodeJS.ErrnoException).code ?? String(err) });
        }
      }),
  );
  for (const target of targets) if (target.path === undefined) stdout(render(report, target.name, opts));
  return failures;
}
