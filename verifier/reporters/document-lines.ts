/**
 * Lines of a text document as reporter chunks: each ends with its newline, so a chunk never ends
 * inside a surrogate pair and the chunks joined are the lines joined with `\n` plus a final one.
 */
export function line(text: string): string {
  return `${text}\n`;
}

export function lines(texts: readonly string[]): string {
  return texts.map(line).join('');
}
