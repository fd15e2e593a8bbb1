/**
 * The json and sarif reporters' document as they wrote it before streaming, in one string: the output
 * the streaming writer must match byte for byte (docs/verify.md#memory-stays-bounded).
 */
export function oneStringJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`)}\n`;
}
