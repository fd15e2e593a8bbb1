#!/usr/bin/env node
import { packageVersion } from '../contract/package-version.ts';

const argv = process.argv.slice(2);
// `--version` alone answers before yargs and the commands load: scripts call it to probe the install.
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
  process.stdout.write(`${packageVersion()}\n`);
} else {
  const { main } = await import('./cli.ts');
  process.exitCode = await main(argv);
}
