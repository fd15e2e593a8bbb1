/**
 * Whether the text report is coloured: `--color` / `--no-color` decide when given; otherwise a
 * set FORCE_COLOR (other than 0) forces it, and a terminal gets it unless NO_COLOR, TERM=dumb and
 * the like say no (Node's `hasColors` reads them).
 */
export function wantsColour(
  flag: boolean | undefined,
  stream: { isTTY?: boolean; hasColors?: () => boolean },
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (flag !== undefined) return flag;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && (stream.hasColors?.() ?? false);
}
