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

/** What a walk found in one folder: its files the filter keeps, and its entries that could not be read. */
export interface WalkedFolder {
  files: WalkedFile[];
  unreadable: UnreadableEntry[];
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

interface PendingFolder {
  dir: string;
  rel: string;
}

/**
 * Walks a folder recursively, following symbolic links, one folder at a time: the caller reads a
 * folder's files before the next folder is listed, so 100,000 files never sit in memory at once.
 * Folders are taken level by level (shallowest first, in name order), so a file reachable under two
 * names, through a link, is first met under the one with the fewest folders. Unlike a glob library's
 * walk, nothing is skipped in silence: an unreadable folder, a dangling link, a link loop, a path too
 * long, or something that is neither file nor folder is returned with its reason, so a storm log in an
 * unreadable sub-folder cannot turn into a PASS. A folder reached again through a link is walked once.
 */
export async function* walkFolder(root: string, filter: WalkFilter = EVERYTHING): AsyncGenerator<WalkedFolder> {
  const visited = new Set<string>();
  let level: PendingFolder[] = [{ dir: root, rel: '' }];
  while (level.length > 0) {
    const next: PendingFolder[] = [];
    for (const folder of level) {
      const found = await listFolder(folder, filter, visited, next);
      if (found.files.length > 0 || found.unreadable.length > 0) yield found;
    }
    level = next;
  }
}

/** One folder's files in name order; its sub-folders (and links to folders) go to `next`, in name order. */
async function listFolder({ dir, rel }: PendingFolder, filter: WalkFilter, visited: Set<string>, next: PendingFolder[]): Promise<WalkedFolder> {
  const files: WalkedFile[] = [];
  const unreadable: UnreadableEntry[] = [];
  let real: string;
  try {
    real = await realpath(dir);
  } catch (err) {
    unreadable.push({ file: dir, reason: unreadableReason(err) });
    return { files, unreadable };
  }
  if (visited.has(real)) return { files, unreadable };
  visited.add(real);
  // Most folders are reached by their real path: their files' real paths are their paths, one string each.
  const realBase = real === dir ? undefined : real;
  const folders: PendingFolder[] = [];
  const links: Array<{ full: string; rel: string }> = [];
  try {
    for await (const entry of await opendir(dir, { bufferSize: 256 })) {
      const full = path.join(dir, entry.name);
      // Relative names are for a filter to judge: a plain walk of 100,000 files makes none.
      const entryRel = filter === EVERYTHING ? '' : rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (filter.descend(entryRel)) folders.push({ dir: full, rel: entryRel });
      } else if (entry.isFile()) {
        if (filter.accept(entryRel)) files.push({ path: full, real: realBase === undefined ? full : path.join(realBase, entry.name) });
      } else if (entry.isSymbolicLink()) {
        links.push({ full, rel: entryRel });
      } else if (filter.accept(entryRel)) {
        unreadable.push({ file: full, reason: 'not a regular file (FIFO, socket or device)' });
      }
    }
  } catch (err) {
    unreadable.push({ file: dir, reason: unreadableReason(err) });
  }
  for (const link of links) {
    try {
      const target = await stat(link.full);
      if (target.isDirectory()) {
        if (filter.descend(link.rel)) folders.push({ dir: link.full, rel: link.rel });
      } else if (filter.accept(link.rel)) {
        files.push({ path: link.full, real: await realpath(link.full) });
      }
    } catch (err) {
      // A broken link is reported only where the filter would have read it.
      if (filter.accept(link.rel) || filter.descend(link.rel)) unreadable.push({ file: link.full, reason: unreadableReason(err) });
    }
  }
  folders.sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
  for (const f of folders) next.push(f);
  return { files, unreadable };
}
