import { readFileSync } from 'node:fs';

/**
 * This package's own version, read from the nearest package.json above this module. yargs' default
 * looks above the working directory instead, which prints the consumer's version when stormcheck is
 * installed as a dependency. The source (contract/) and the build (dist/contract/) sit at different depths.
 */
export function packageVersion(): string {
  for (const relative of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'stormcheck' && pkg.version) return pkg.version;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  throw new Error('stormcheck: package.json not found next to the CLI; reinstall the package');
}
