/**
 * Text whose width is its length whatever `string-width` decides: printable ASCII, Latin-1 and Latin
 * Extended (× is U+00D7), dashes, quotes and ellipses, arrows. No ANSI escape, wide or zero-width
 * character, combining mark or surrogate pair (the soft hyphen U+00AD is zero-width, so left out).
 */
const ONE_COLUMN_EACH = /^[\x20-\x7e\xa0-\xac\xae-\u02ff\u2010-\u2027\u2030-\u205f\u2190-\u21ff]*$/;

/**
 * The width `string-width` gives `text` when it can be told without it, else undefined. yargs' help
 * layout measures every cell; help text such as stormcheck's is measured without loading the real
 * module (tools/bundle-cli.ts), whose start-up (two Intl.Segmenters, Unicode-property regular
 * expressions) cost `stormcheck --help` a third of its time.
 */
export function plainTextWidth(text: unknown, options?: { ambiguousIsNarrow?: boolean }): number | undefined {
  return typeof text === 'string' && options?.ambiguousIsNarrow !== false && ONE_COLUMN_EACH.test(text) ? text.length : undefined;
}
