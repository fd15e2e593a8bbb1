import { createReadStream } from 'node:fs';
import { openInput } from '../../input/open-input.ts';
import type { Evidence } from '../../types.ts';
import type { EvidenceLine } from './page-model.ts';

/** The `file:line` an evidence line is shown and looked up as. */
export function evidenceRef(e: Evidence): string {
  return `${e.file}:${e.line}`;
}

/** Evidence is for reading, not for carrying a whole runaway line into the page. */
const MAX_TEXT = 2_000;
const NEWLINE = 0x0a;

/**
 * Reads back the text of `file:line` evidence references, each file once and only up to its last wanted
 * line. A reference that cannot be read back (stdin, a file removed since) keeps a null text.
 * `fromByte` gives, per file, where its line 1 was when only a tail of it was verified (a probe's window).
 */
export async function readEvidenceLines(refs: Iterable<Evidence>, fromByte = new Map<string, number>()): Promise<Map<string, EvidenceLine>> {
  const wanted = new Map<string, Map<number, string>>();
  for (const { file, line } of refs) {
    if (!wanted.has(file)) wanted.set(file, new Map());
    wanted.get(file)!.set(line, evidenceRef({ file, line }));
  }
  const out = new Map<string, EvidenceLine>();
  for (const [file, lines] of wanted) {
    const texts =
      file === 'stdin' ? new Map<number, string>() : await readLines(file, new Set(lines.keys()), fromByte.get(file) ?? 0).catch(() => new Map<number, string>());
    for (const [line, ref] of lines) out.set(ref, { ref, text: texts.get(line) ?? null });
  }
  return out;
}

async function readLines(file: string, numbers: Set<number>, fromByte: number): Promise<Map<number, string>> {
  const last = Math.max(...numbers);
  const found = new Map<number, string>();
  const source = fromByte > 0 ? { stream: createReadStream(file, { start: fromByte }) } : await openInput(file);
  let line = 1;
  let partial: Buffer[] = [];
  let partialBytes = 0;
  for await (const chunk of source.stream as AsyncIterable<Buffer>) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, start);
      const end = nl < 0 ? chunk.length : nl;
      if (numbers.has(line) && partialBytes < MAX_TEXT) {
        partial.push(Buffer.from(chunk.subarray(start, Math.min(end, start + MAX_TEXT - partialBytes))));
        partialBytes += end - start;
      }
      if (nl < 0) break;
      if (numbers.has(line)) found.set(line, Buffer.concat(partial).toString('utf8').replace(/\r$/, ''));
      partial = [];
      partialBytes = 0;
      if (line++ >= last) return found;
      start = nl + 1;
    }
  }
  if (partial.length > 0) found.set(line, Buffer.concat(partial).toString('utf8').replace(/\r$/, ''));
  return found;
}
