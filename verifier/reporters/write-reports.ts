import { makeFolder } from '../../contract/make-folder.ts';
import path from 'node:path';
import type { VerifyReport } from '../types.ts';
import { render, type RenderOptions, type ReporterTarget } from './index.ts';
import { writeChunksToFile, writeChunksToStream } from './write-chunks.ts';

/** A target that could not be written, with the reason. */
export interface WriteFailure {
  target: ReporterTarget;
  reason: string;
}

/**
 * Writes the report once per target: files first, each on its own (one unwritable path does not cost
 * the others their document), then the stdout documents in the order given. Colour is only ever used
 * on stdout. Each document is written chunk by chunk as its reporter yields them; `stdout` is
 * process.stdout in the CLI and any writable stream in a test.
 */
export async function writeReports(
  report: VerifyReport,
  targets: readonly ReporterTarget[],
  opts: RenderOptions,
  stdout: NodeJS.WritableStream,
): Promise<WriteFailure[]> {
  const failures: WriteFailure[] = [];
  await Promise.all(
    targets
      .filter((t) => t.path !== undefined)
      .map(async (target) => {
        try {
          await makeFolder(path.dirname(target.path!));
          await writeChunksToFile(target.path!, render(report, target.name, { ...opts, colour: false }));
        } catch (err) {
          failures.push({ target, reason: (err as NodeJS.ErrnoException).code ?? String(err) });
        }
      }),
  );
  for (const target of targets) if (target.path === undefined) await writeChunksToStream(stdout, render(report, target.name, opts));
  return failures;
}
