import type { VerifyReport } from '../types.ts';

/** The report as one JSON document (it carries `schemaVersion`). */
export function renderJson(report: VerifyReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
