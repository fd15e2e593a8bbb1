import { opendir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

/** An entry inside a folder or under a glob that could not be read, with why. */
export interface UnreadableEntry {
  file: string;
  reason: string;
}

/** A file found by a walk, with its real path (for reading each file once). */
export interface WalkedFile {
  path: string;
  real: string;
}

/** Which entries a walk keeps: `descend` prunes folders (relative path), `accept` picks files. */
export interface WalkFilter {
  descend: (rel: string) => boolean;
  accept: (rel: string) => boolean;
}

const EVERYTHING: WalkFilter = { descend: () => true, accept: () => true };

/** Why an entry could not be read, in words a user can act on (the code stays for searching). */
export function unreadableReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code})`;
    case 'ENOENT':
      return 'dangling symbolic link (ENOENT)';
    case 'ELOOP':
      return 'symbolic link loop (ELOOP)';
    case 'ENAMETOOLONG':
      return 'path longer than the system allows (ENAMETOOLONG)';
    default:
      return code ?? String((err as Error)?.message ?? err);
  }
}

/**
 * Walks a folder recursively, following symbolic links, and returns the files `filter` accepts plus
 * every entry that could not be read: an unreadable folder, a dangling link, a link loop, a path too
 * long, or something that is neither file nor folder. Unlike a glob library's walk, nothing is skipped
 * in silence, so a storm log in an unreadable sub-folder cannot turn into a PASS. A folder reached
 * again through a link (a loop back to an ancestor) is walked once.
 */
export async function walkFolder(root: string, filter: WalkFilter = EVERYTHING): Promise<{ files: WalkedFile[]; unreadable: UnreadableEntry[] }> {
  const files: WalkedFile[] = [];
  const unreadable: UnreadableEntry[] = [];
  const visited = new Set<string>();
  const stack: Array<{ dir: string; rel: string }> = [{ dir: root, rel: '' }];
  while (stack.length > 0) {
    const { dir, rel } = stack.pop()!;
    let real: string;
    try {
      real = await realpath(dir);
    } catch (err) {
      unreadable.push({ file: dir, reason: unreadableReason(err) });
      continue;
    }
    if (visited.has(real)) continue;
    visited.add(real);
    // Most folders are reached by their real path: their files' real paths are their paths, one string each.
    const realBase = real === dir ? undefined : real;
    try {
      for await (const entry of await opendir(dir, { bufferSize: 256 })) {
        const full = path.join(dir, entry.name);
        // Relative names are for a filter to judge: a plain walk of 100,000 files makes none.
        const entryRel = filter === EVERYTHING ? '' : rel === '' ? entry.name : `${rel}/${entry.name}`;
        if (entry.isDirectory()) {
          if (filter.descend(entryRel)) stack.push({ dir: full, rel: entryRel });
        } else if (entry.isFile()) {
          if (filter.accept(entryRel)) files.push({ path: full, real: realBase === undefined ? full : path.join(realBase, entry.name) });
        } else if (entry.isSymbolicLink()) {
          await followLink(full, entryRel);
        } else if (filter.accept(entryRel)) {
          unreadable.push({ file: full, reason: 'not a regular file (FIFO, socket or device)' });
        }
      }
    } catch (err) {
      unreadable.push({ file: dir, reason: unreadableReason(err) });
    }
  }
  return { files, unreadable };

  async function followLink(full: string, rel: string): Promise<void> {
    try {
      const target = await stat(full);
      if (target.isDirectory()) {
        if (filter.descend(rel)) stack.push({ dir: full, rel });
      } else if (filter.accept(rel)) {
        files.push({ path: full, real: await realpath(full) });
      }
    } catch (err) {
      // A broken link is reported only where the filter would have read it.
      if (filter.accept(rel) || filter.descend(rel)) unreadable.push({ file: full, reason: unreadableReason(err) });
    }
  }
}
