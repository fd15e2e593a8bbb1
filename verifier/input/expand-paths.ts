import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { VerifyInputError } from './input-error.ts';
import { walkFolder, type UnreadableEntry, type WalkedFile } from './walk-folder.ts';

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

/** The files the command line names, and the entries inside its folders and globs that could not be read. */
export interface ExpandedInputs {
  files: ExpandedPath[];
  unreadable: UnreadableEntry[];
}

/**
 * Expands the paths given on the command line: files as they are (FIFOs and `/dev/fd/N` included),
 * folders recursively, globs, and `-` for stdin. Symlinks are followed, loops included only once:
 * every file is kept once, at its first mention, by its real path. Files found in a folder or by a
 * glob are sorted by name with numbered rotations oldest first. What a folder or glob holds that
 * cannot be read is returned apart, with the reason, for the verdict to fail closed on.
 */
export async function expandPaths(paths: readonly string[]): Promise<ExpandedInputs> {
  const seen = new Set<string>();
  const files: ExpandedPath[] = [];
  const unreadable: UnreadableEntry[] = [];
  const keep = (p: string, real: string, explicit: boolean) => {
    if (seen.has(real)) return;
    seen.add(real);
    files.push({ path: p, explicit, group: p === STDIN ? STDIN : rotationStem(p) });
  };
  for (const p of paths) {
    if (p === STDIN) keep(p, STDIN, true);
    else {
      const found = await expandOne(p);
      if (found === undefined) keep(p, await realpath(p).catch(() => p), true);
      else {
        unreadable.push(...found.unreadable);
        const named = shortestNames(found.files);
        for (const f of sortRotations([...named.keys()])) keep(f, named.get(f)!, false);
      }
    }
  }
  return { files, unreadable };
}

/**
 * The files a folder or glob stands for; undefined for a path that is neither (read it as given).
 * picomatch loads only for a missing path (a glob): a gate on one named file, CI's usual case, skips
 * its start-up cost.
 */
async function expandOne(p: string): Promise<{ files: WalkedFile[]; unreadable: UnreadableEntry[] } | undefined> {
  const info = await stat(p).catch((err: NodeJS.ErrnoException) => err);
  if (!(info instanceof Error)) return info.isDirectory() ? walkFolder(p) : undefined;
  const { default: picomatch } = await import('picomatch');
  if (!picomatch.scan(p).isGlob) {
    throw new VerifyInputError('NOT_FOUND', p, `cannot read ${p}: ${info.code ?? 'not found'}; check the path`);
  }
  const found = await walkGlob(picomatch, p);
  if (found.files.length === 0 && found.unreadable.length === 0) throw new VerifyInputError('NOT_FOUND', p, `no files match ${p}; check the pattern`);
  return found;
}

/**
 * Walks the folder a glob starts from, keeping the files it matches and pruning folders it cannot
 * reach. Names are reported as the pattern spells them: absolute for an absolute pattern, else relative.
 */
async function walkGlob(picomatch: typeof import('picomatch'), pattern: string): Promise<{ files: WalkedFile[]; unreadable: UnreadableEntry[] }> {
  const { base, glob } = picomatch.scan(pattern);
  const root = base === '' ? '.' : base;
  const segments = glob.split('/');
  const matchers = segments.map((s) => picomatch(s, { dot: true }));
  const accept = picomatch(glob, { dot: true });
  const descend = (rel: string) => {
    const parts = rel.split('/');
    for (let i = 0; i < parts.length; i++) {
      if (segments[i] === '**') return true;
      if (i >= segments.length - 1 || !matchers[i](parts[i])) return false;
    }
    return true;
  };
  const found = await walkFolder(root, { descend, accept });
  return base === '' ? { ...found, files: found.files.map((f) => ({ ...f, path: path.normalize(f.path) })) } : found;
}

/**
 * One name per real file, the one with the fewest folders: through a symlink loop a file is also
 * reachable as `logs/loop/logs/app.log`, which must not be the name its evidence carries.
 */
function shortestNames(files: WalkedFile[]): Map<string, string> {
  const depth = (f: string) => f.split('/').length;
  const best = new Map<string, string>();
  for (const f of files) {
    const held = best.get(f.real);
    if (held === undefined || depth(f.path) < depth(held) || (depth(f.path) === depth(held) && f.path < held)) best.set(f.real, f.path);
  }
  const named = new Map<string, string>();
  for (const [real, name] of best) named.set(name, real);
  return named;
}

// [^] rather than `.`: a file name may hold a newline or U+2028, which `.` does not match.
const ROTATION = /^([^]*?)(?:\.(\d+))?(\.gz)?$/;

function rotationStem(file: string): string {
  return ROTATION.exec(file)![1];
}

/** Name order, except that `x.N[.gz]` rotations of one log come oldest (highest N) first and `x` last. */
export function sortRotations(files: string[]): string[] {
  // Each name is parsed once, not at every comparison: sorting 100,000 names compares them 1.7 M times.
  const keyed = files.map((f) => {
    const m = ROTATION.exec(f)!;
    return { f, stem: m[1], n: m[2] === undefined ? -1 : Number(m[2]) };
  });
  keyed.sort((ka, kb) => {
    if (ka.stem !== kb.stem) return ka.stem < kb.stem ? -1 : 1;
    if (ka.n !== kb.n) return kb.n - ka.n;
    return ka.f < kb.f ? -1 : ka.f > kb.f ? 1 : 0;
  });
  return keyed.map((k) => k.f);
}
