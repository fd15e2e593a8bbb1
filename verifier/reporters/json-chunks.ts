/** About how many characters each chunk holds: a few hundred KB of report is written in a handful of writes. */
export const JSON_CHUNK_CHARS = 64 * 1024;

const INDENT = '  ';

/** An array or object being written: the members left to write and the indentation of its lines. */
interface Frame {
  holder: unknown[] | Record<string, unknown>;
  /** The object's keys (Object.keys order, as JSON.stringify); undefined for an array. */
  keys: string[] | undefined;
  next: number;
  /** The indentation of the closing bracket; members are one level deeper. */
  indent: string;
  wrote: boolean;
}

/**
 * The json and sarif reporters' document in chunks: exactly `JSON.stringify(value, null, 2)` with
 * U+2028 and U+2029 escaped, then a newline, without ever holding the whole text. JSON allows the two
 * separators raw, but a file name holding one breaks line-based tools and older JavaScript. Members
 * whose value has no JSON form (undefined, a function) are left out of objects and are `null` in
 * arrays, `toJSON` is honoured, and a cycle throws a TypeError, as JSON.stringify does.
 */
export function* jsonDocumentChunks(value: unknown): Generator<string, void, undefined> {
  const stack: Frame[] = [];
  let out = '';
  // Writes a member's value: its text, or its opening bracket (the frame then writes its members).
  const write = (member: unknown, indent: string): void => {
    if (typeof member !== 'object' || member === null) {
      out += JSON.stringify(member);
      return;
    }
    if (stack.some((f) => f.holder === member)) throw new TypeError('Converting circular structure to JSON');
    const keys = Array.isArray(member) ? undefined : Object.keys(member);
    out += keys ? '{' : '[';
    stack.push({ holder: member as Frame['holder'], keys, next: 0, indent, wrote: false });
  };
  const top = jsonValue(value, '');
  if (top === undefined) return;
  write(top, '');
  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    const count = frame.keys ? frame.keys.length : (frame.holder as unknown[]).length;
    if (frame.next === count) {
      const close = frame.keys ? '}' : ']';
      out += frame.wrote ? `\n${frame.indent}${close}` : close;
      stack.pop();
    } else {
      const i = frame.next++;
      const key = frame.keys ? frame.keys[i] : String(i);
      const member = jsonValue((frame.holder as Record<string, unknown>)[key], key);
      if (member === undefined && frame.keys) continue;
      const inner = frame.indent + INDENT;
      out += `${frame.wrote ? ',' : ''}\n${inner}${frame.keys ? `${JSON.stringify(key)}: ` : ''}`;
      frame.wrote = true;
      write(member === undefined ? null : member, inner);
    }
    if (out.length >= JSON_CHUNK_CHARS) {
      yield escapeLineSeparators(out);
      out = '';
    }
  }
  yield `${escapeLineSeparators(out)}\n`;
}

/** A member's value as JSON.stringify sees it: after `toJSON`, and undefined when it has no JSON form. */
function jsonValue(member: unknown, key: string): unknown {
  const toJSON = typeof member === 'object' && member !== null ? (member as { toJSON?: unknown }).toJSON : undefined;
  const value = typeof toJSON === 'function' ? (toJSON as (key: string) => unknown).call(member, key) : member;
  return value === undefined || typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
}

function escapeLineSeparators(text: string): string {
  return text.replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}
