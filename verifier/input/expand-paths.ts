import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { VerifyInputError } from './input-error.ts';

/** Stands for standard input in a path list. */
export const STDIN = '-';

/** One file to read, and how it was found. */
export interface ExpandedPath {
  path: string;
  /**
   * Named on the command line (not found in a folder or by a glob): such a file must be readable
   * and hold log lines, where a found one that holds none is skipped with a notice.
   */
  explicit: boolean;
  /** Rotations of one log (`app.log.2.gz`, `app.log.1`, `app.log`) share a group and are judged together. */
  group: string;
}

/**
 * Expands the paths given on the command line: files as they are (FIFOs and `/dev/fd/N` included),
 * folders recursively, globs, and `-` for stdin. Symlinks are followed, loops included only once:
 * every file is kept once, at its first mention, by its real path. Files found in a folder or by a
 * glob are sorted by name with numbered rotations oldest first.
 */
export async function expandPaths(paths: readonly string[]): Promise<ExpandedPath[]> {
  const seen = new Set<string>();
  const out: ExpandedPath[] = [];
  const keep = async (p: string, explicit: boolean) => {
    const real = p === STDIN ? STDIN : await realpath(p).catch(() => p);
    if (seen.has(real)) return;
    seen.add(real);
    out.push({ path: p, explicit, group: p === STDIN ? STDIN : rotationStem(p) });
  };
  for (const p of paths) {
    if (p === STDIN) await keep(p, true);
    else {
      const found = await expandOne(p);
      if (found === undefined) await keep(p, true);
      else for (const f of sortRotations(await shortestNames(found))) await keep(f, false);
    }
  }
  return out;
}

/**
 * The files a folder or glob stands for; undefined for a path that is neither (read it as given).
 * tinyglobby loads only here, for a folder or a missing path: a gate on one named file, CI's usual
 * case, skips its start-up cost.
 */
async function expandOne(p: string): Promise<string[] | undefined> {
  const info = await stat(p).catch((err: NodeJS.ErrnoException) => err);
  if (!(info instanceof Error) && !info.isDirectory()) return undefined;
  const { glob, isDynamicPattern } = await import('tinyglobby');
  if (info instanceof Error) {
    if (!isDynamicPattern(p)) {
      throw new VerifyInputError('NOT_FOUND', p, `cannot read ${p}: ${info.code ?? 'not found'}; check the path`);
    }
    // Names are reported as the pattern spells them: absolute for an absolute pattern, else relative.
    const matched = await glob(p, { onlyFiles: true, followSymbolicLinks: true, expandDirectories: false, dot: true, absolute: path.isAbsolute(p) });
    if (matched.length === 0) throw new VerifyInputError('NOT_FOUND', p, `no files match ${p}; check the pattern`);
    return matched;
  }
  const inside = await glob('**/*', { cwd: p, onlyFiles: true, followSymbolicLinks: true, dot: true }).catch((err: Error) => {
    throw new VerifyInputError('UNREADABLE', p, `cannot list ${p}: ${err.message}`);
  });
  return inside.map((f) => path.join(p, f));
}

/**
 * One name per real file, the one with the fewest folders: through a symlink loop a file is also
 * reachable as `logs/loop/logs/app.log`, which must not be the name its evidence carries.
 */
async function shortestNames(files: string[]): Promise<string[]> {
  const depth = (f: string) => f.split('/').length;
  const best = new Map<string, string>();
  for (const f of files) {
    const real = await realpath(f).catch(() => f);
    const held = best.get(real);
    if (held === undefined || depth(f) < depth(held) || (depth(f) === depth(held) && f < held)) best.set(real, f);
  }
  return [...best.values()];
}

const ROTATION = /^(.*?)(?:\.(\d+))?(\.gz)?$/;

function rotationStem(file: string): string {
  return ROTATION.exec(file)![1];
}

/** Name order, except that `x.N[.gz]` rotations of one log come oldest (highest N) first and `x` last. */
export function sortRotations(files: string[]): string[] {
  const key = (f: string) => {
    const m = ROTATION.exec(f)!;
    return { stem: m[1], n: m[2] === undefined ? -1 : Number(m[2]) };
  };
  return [...files].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka.stem !== kb.stem) return ka.stem < kb.stem ? -1 : 1;
    if (ka.n !== kb.n) return kb.n - ka.n;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}
