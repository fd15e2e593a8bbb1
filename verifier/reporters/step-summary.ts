import type { VerifyReport } from '../types.ts';
import type { ReporterTarget } from './index.ts';
import { renderSummary } from './summary.ts';
import { writeChunksToFile } from './write-chunks.ts';

/**
 * In GitHub Actions, the Markdown summary goes to the job's page (`$GITHUB_STEP_SUMMARY`, appended as
 * GitHub expects) unless a `--reporter summary=` already writes that file. Returns why it could not
 * be written, or undefined.
 */
export async function appendStepSummary(report: VerifyReport, targets: readonly ReporterTarget[], env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file || targets.some((t) => t.name === 'summary' && t.path === file)) return undefined;
  try {
    await writeChunksToFile(file, renderSummary(report), true);
    return undefined;
  } catch (err) {
    return `cannot write the job summary to GITHUB_STEP_SUMMARY=${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`;
  }
}
