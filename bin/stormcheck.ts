#!/usr/bin/env node
import { packageVersion } from '../contract/package-version.ts';
import { dropOutputWhenReaderGone } from './closed-stdout.ts';

const argv = process.argv.slice(2);
// `--version` alone answers before yargs and the commands load: scripts call it to probe the install.
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
  process.stdout.write(`${packageVersion()}\n`);
} else {
  dropOutputWhenReaderGone();
  const { main } = await import('./cli.ts');
  process.exitCode = await main(argv);
}
