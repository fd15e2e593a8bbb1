import { Transform, type TransformCallback } from 'node:stream';

/** The byte-order marks of UTF-16, and the decoder each names. */
export const UTF16_BOMS = [
  { bytes: [0xff, 0xfe], encoding: 'utf-16le' },
  { bytes: [0xfe, 0xff], encoding: 'utf-16be' },
] as const;

export type Utf16Encoding = (typeof UTF16_BOMS)[number]['encoding'];

/** The UTF-16 encoding whose BOM starts `head`, if any. */
export function utf16Of(head: Uint8Array): Utf16Encoding | undefined {
  return UTF16_BOMS.find((b) => head.length >= 2 && head[0] === b.bytes[0] && head[1] === b.bytes[1])?.encoding;
}

/**
 * Re-encodes UTF-16 (Windows tools, PowerShell's `>` redirect) as UTF-8 for the line scanner. The BOM
 * is dropped; a code unit split across chunks is kept for the next one, so no character is cut.
 */
export function decodeUtf16(encoding: Utf16Encoding): Transform {
  const decoder = new TextDecoder(encoding);
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      done(null, Buffer.from(decoder.decode(chunk, { stream: true }), 'utf8'));
    },
    flush(done: TransformCallback) {
      done(null, Buffer.from(decoder.decode(), 'utf8'));
    },
  });
}
