/**
 * A file name (or any untrusted text) fit for one line of a report: control characters, DEL, C1
 * controls and the Unicode line and paragraph separators become `\n`, `\u2028` style escapes, and a
 * backslash is doubled so an escape cannot be forged. A log folder may hold any name the file system
 * allows, and one with a newline must not split a report's line or a CI annotation in two.
 */
export function printableName(name: string): string {
  return name.replace(/[\\\x00-\x1f\x7f-\x9f\u2028\u2029]/g, escapeOne);
}

const NAMED: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(c: string): string {
  return NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
