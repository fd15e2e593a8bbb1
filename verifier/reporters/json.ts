import type { VerifyReport } from '../types.ts';

/**
 * The report as one JSON document (it carries `schemaVersion`). U+2028 and U+2029 are escaped too:
 * JSON allows them raw, but a file name holding one breaks line-based tools and older JavaScript.
 */
export function renderJson(report: VerifyReport): string {
  return jsonDocument(report);
}

/** Indented JSON with U+2028 and U+2029 escaped, and a final newline: the json and sarif reporters' documents. */
export function jsonDocument(value: unknown): string {
  return `${JSON.stringify(value, null, 2).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`)}\n`;
}
