import type { VerifyReport } from '../types.ts';
import { jsonDocumentChunks } from './json-chunks.ts';

/** The report as one JSON document (it carries `schemaVersion`), in chunks. */
export function renderJson(report: VerifyReport): Iterable<string> {
  return jsonDocumentChunks(report);
}
