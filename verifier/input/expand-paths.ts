import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { VerifyInputError } from './input-error.ts';
import { walkFolder, type UnreadableEntry, type WalkedFolder } from './walk-folder.ts';

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
  /** No path after this one can belong to its group: the group can be judged once this file is read. */
  endsGroup: boolean;
}

/** What expanding the command line's paths yields: a file to read, or an entry that could not be read. */
export type ExpandedEntry = ExpandedPath | { unreadable: UnreadableEntry };

/** A command-line path, classified before anything is read so that a typo fails the run at once. */
type Argument =
  | { kind: 'stdin'; path: string }
  | { kind: 'file'; path: string }
  | { kind: 'folder'; path: string; prefix: string }
  | { kind: 'glob'; path: string; prefix: string; picomatch: typeof import('picomatch') };

/**
 * Expands the paths given on the command line, lazily: files as they are (FIFOs and `/dev/fd/N`
 * included), folders recursively, globs, and `-` for stdin. A folder's files are yielded before the
 * next folder is listed, so the run reads while it walks and holds one folder's names at a time.
 * Symlinks are followed, loops included only once: every file is kept once, at its first mention, by
 * its real path. Found files come folder by folder (shallowest first), each folder's in name order
 * with numbered rotations oldest first. What a folder or glob holds that cannot be read is yielded
 * too, with the reason, for the verdict to fail closed on. A path that does not exist (and is no
 * glob) is an input error before anything is yielded.
 */
export async function* expandPaths(paths: readonly string[]): AsyncGenerator<ExpandedEntry> {
  const args: Argument[] = [];
  for (const p of paths) args.push(await classify(p));
  const seen = new Set<string>();
  for (const [i, arg] of args.entries()) {
    const later = args.slice(i + 1);
    if (arg.kind === 'stdin' || arg.kind === 'file') {
      const real = arg.kind === 'stdin' ? STDIN : await realpath(arg.path).catch(() => arg.path);
      if (seen.has(real)) continue;
      seen.add(real);
      const group = arg.kind === 'stdin' ? STDIN : rotationStem(arg.path);
      yield { path: arg.path, explicit: true, group, endsGroup: !mayAdd(later, group) };
      continue;
    }
    let found = 0;
    for await (const folder of arg.kind === 'folder' ? walkFolder(arg.path) : walkGlob(arg.picomatch, arg.path)) {
      found += folder.files.length + folder.unreadable.length;
      for (const entry of folder.unreadable) yield { unreadable: entry };
      const fresh: string[] = [];
      for (const f of folder.files) {
        if (seen.has(f.real)) continue;
        seen.add(f.real);
        fresh.push(f.path);
      }
      const sorted = sortRotations(fresh);
      for (const [k, file] of sorted.entries()) {
        const group = rotationStem(file);
        const lastHere = k === sorted.length - 1 || rotationStem(sorted[k + 1]) !== group;
        // A later folder walk names this folder's files as it did, so it adds none; a later glob or file may.
        yield { path: file, explicit: false, group, endsGroup: lastHere && (arg.kind === 'folder' || !mayAdd(later, group)) };
      }
    }
    if (arg.kind === 'glob' && found === 0) throw new VerifyInputError('NOT_FOUND', arg.path, `no files match ${arg.path}; check the pattern`);
  }
}

/** The files the expansion yields, in order, leaving out what could not be read. */
export async function* expandedFiles(paths: readonly string[]): AsyncGenerator<string> {
  for await (const entry of expandPaths(paths)) if (!('unreadable' in entry)) yield entry.path;
}

/**
 * What a path stands for. picomatch loads only for a missing path (a glob): a gate on one named file,
 * CI's usual case, skips its start-up cost.
 */
async function classify(p: string): Promise<Argument> {
  if (p === STDIN) return { kind: 'stdin', path: p };
  const info = await stat(p).catch((err: NodeJS.ErrnoException) => err);
  if (!(info instanceof Error)) return info.isDirectory() ? { kind: 'folder', path: p, prefix: joinedPrefix(p) } : { kind: 'file', path: p };
  const { default: picomatch } = await import('picomatch');
  const scan = picomatch.scan(p);
  if (!scan.isGlob) throw new VerifyInputError('NOT_FOUND', p, `cannot read ${p}: ${info.code ?? 'not found'}; check the path`);
  return { kind: 'glob', path: p, prefix: scan.base === '' ? '' : joinedPrefix(scan.base), picomatch };
}

/** How every file found under `folder` is spelled at its start (`./logs/` finds `logs/app.log`). */
function joinedPrefix(folder: string): string {
  return path.join(folder, 'x').slice(0, -1);
}

/** Whether a later path could yield a file of `group`, so that the group must stay open until it has. */
function mayAdd(later: readonly Argument[], group: string): boolean {
  return later.some((a) => {
    if (a.kind === 'stdin') return group === STDIN;
    if (a.kind === 'file') return rotationStem(a.path) === group;
    return a.prefix === '' ? !path.isAbsolute(group) : group.startsWith(a.prefix);
  });
}

/**
 * Walks the folder a glob starts from, keeping the files it matches and pruning folders it cannot
 * reach. Names are reported as the pattern spells them: absolute for an absolute pattern, else relative.
 */
async function* walkGlob(picomatch: typeof import('picomatch'), pattern: string): AsyncGenerator<WalkedFolder> {
  const { base, glob } = picomatch.scan(pattern);
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
  for await (const folder of walkFolder(base === '' ? '.' : base, { descend, accept })) {
    yield base === '' ? { ...folder, files: folder.files.map((f) => ({ ...f, path: path.normalize(f.path) })) } : folder;
  }
}

// [^] rather than `.`: a file name may hold a newline or U+2028, which `.` does not match.
const ROTATION = /^([^]*?)(?:\.(\d+))?(\.gz)?$/;

function rotationStem(file: string): string {
  return ROTATION.exec(file)![1];
}

/** Name order, except that `x.N[.gz]` rotations of one log come oldest (highest N) first and `x` last. */
function sortRotations(files: string[]): string[] {
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
