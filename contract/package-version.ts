import { readFileSync } from 'node:fs';

/**
 * This package's own version, read from the nearest package.json above this module. yargs' default
 * looks above the working directory instead, which prints the consumer's version when stormcheck is
 * installed as a dependency. The source (contract/) and the build (dist/contract/) sit at different depths.
 */
export function packageVersion(): string {
  return ownManifest().version;
}

/**
 * The web address of the repository package.json names (`repository`), without `.git`: the rule docs
 * links point into it, so a fork's findings link to the fork's docs.
 */
export function packageRepositoryUrl(): string {
  const repo = ownManifest().repository;
  const url = typeof repo === 'string' ? repo : repo?.url;
  if (!url) throw new Error('stormcheck: package.json names no repository; reinstall the package');
  return url.replace(/^git\+/, '').replace(/\.git$/, '').replace(/^github:/, 'https://github.com/');
}

interface Manifest {
  name?: string;
  version: string;
  repository?: string | { url?: string };
}

let manifest: Manifest | undefined;

function ownManifest(): Manifest {
  if (manifest) return manifest;
  for (const relative of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as Partial<Manifest>;
      if (pkg.name === 'stormcheck' && pkg.version) return (manifest = pkg as Manifest);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  throw new Error('stormcheck: package.json not found next to the CLI; reinstall the package');
}
