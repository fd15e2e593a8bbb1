import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { VerifyInputError } from './input-error.ts';

/** Stands for standard input in a path list. */
export const STDIN = '-';

const GLOB_CHARS = /[*?[{]/;

/**
 * Expands the paths given on the command line: files as they are, folders recursively, globs
 * (`*`, `**`, `?`, `[…]`, `{a,b}`), and `-` for stdin. Files found in a folder or by a glob are
 * sorted by name with numbered rotations oldest first (`app.log.2.gz`, `app.log.1`, `app.log`).
 */
export async function expandPaths(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    if (p === STDIN) out.push(STDIN);
    else if (GLOB_CHARS.test(p)) out.push(...(await expandGlob(p)));
    else out.push(...(await expandPath(p)));
  }
  return out;
}

async function expandPath(p: string): Promise<string[]> {
  let info;
  try {
    info = await stat(p);
  } catch (err) {
    throw new VerifyInputError('NOT_FOUND', p, `cannot read ${p}: ${(err as NodeJS.ErrnoException).code ?? 'not found'}; check the path`);
  }
  if (!info.isDirectory()) return [p];
  return sortRotations(await listFiles(p));
}

async function listFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw new VerifyInputError('UNREADABLE', dir, `cannot list ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const files: string[] = [];
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) files.push(...(await listFiles(full)));
    else if (e.isFile()) files.push(full);
  }
  return files;
}

async function expandGlob(pattern: string): Promise<string[]> {
  const parts = pattern.split('/');
  const fixed: string[] = [];
  while (parts.length > 1 && !GLOB_CHARS.test(parts[0])) fixed.push(parts.shift()!);
  const base = fixed.length === 0 ? '.' : fixed.join('/') || '/';
  const matcher = globToRegExp(parts.join('/'));
  let files: string[];
  try {
    files = await listFiles(base);
  } catch {
    files = [];
  }
  const matched = files.filter((f) => matcher.test(path.relative(base, f).split(path.sep).join('/')));
  if (matched.length === 0) throw new VerifyInputError('NOT_FOUND', pattern, `no files match ${pattern}; check the pattern`);
  return sortRotations(matched);
}

/** Converts a glob to an anchored RegExp over `/`-separated relative paths. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      i++;
      if (glob[i + 1] === '/') {
        i++;
        re += '(?:.*/)?';
      } else re += '.*';
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close < 0) re += '\\[';
      else {
        re += `[${glob.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else if (c === '{') {
      const close = glob.indexOf('}', i + 1);
      if (close < 0) re += '\\{';
      else {
        re += `(?:${glob.slice(i + 1, close).split(',').map(escapeRe).join('|')})`;
        i = close;
      }
    } else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

const ROTATION = /^(.*?)(?:\.(\d+))?(\.gz)?$/;

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
