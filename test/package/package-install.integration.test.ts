import { execFile } from 'node:child_process';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASS_THREAD_ENV } from '../../verifier/input/region-pass.ts';
import { tempDir } from '../support/run-stormcheck.ts';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;
const FIXTURE = path.join(ROOT, 'fixtures/logs/docker-churn.log');

let tmp: Awaited<ReturnType<typeof tempDir>>;
let consumer: string;
let tarballFiles: string[];

/**
 * Packs this repository and installs the tarball, without dev dependencies, into a fresh project
 * whose own version differs from ours, as a user adding stormcheck to their app would.
 */
beforeAll(async () => {
  tmp = await tempDir();
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp.dir], { cwd: ROOT });
  const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  tarballFiles = packed!.files.map((f) => f.path);
  consumer = path.join(tmp.dir, 'consumer');
  await mkdir(consumer);
  await writeFile(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }));
  await run('npm', ['install', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', path.join(tmp.dir, packed!.filename)], { cwd: consumer });
}, 180_000);

afterAll(async () => {
  await tmp?.cleanup();
});

describe('the npm package', { timeout: 60_000 }, () => {
  it('ships the build, the config schema, README and LICENSE, and no tests, benches, CI or sources', () => {
    expect(tarballFiles).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/bin/stormcheck.js', 'dist/index.d.ts', 'dist/docs/rules.md']));
    expect(tarballFiles.filter((f) => !f.startsWith('dist/') || f.endsWith('.tsbuildinfo'))).toEqual([
      'LICENSE',
      'README.md',
      'package.json',
      'schema/stormcheck.config.schema.json',
    ]);
  });

  it('stormcheck rules explains a rule from the docs shipped in the package', async () => {
    const { stdout } = await run(path.join(consumer, 'node_modules/.bin/stormcheck'), ['rules', 'adapter-burst'], { cwd: consumer });
    expect(stdout).toContain('**Fix:**');
  });

  it('stormcheck --version prints its own version, not the consumer project\'s', async () => {
    const { version } = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const { stdout } = await run(path.join(consumer, 'node_modules/.bin/stormcheck'), ['--version'], { cwd: consumer });
    expect(stdout).toBe(`${version}\n`);
  });

  it('stormcheck verify judges a fixture from the installed package', async () => {
    const result = await run(path.join(consumer, 'node_modules/.bin/stormcheck'), ['verify', FIXTURE, '--reporter', 'json'], { cwd: consumer }).catch(
      (err: { code: number; stdout: string }) => err,
    );
    expect(result).toMatchObject({ code: 1 });
    expect(JSON.parse(result.stdout).findings.map((f: { rule: string }) => f.rule)).toContain('adapter-burst');
  });

  it('stormcheck verify runs the keyword pass on its own thread from the installed package, with the same report', async () => {
    const verify = (setting: string) =>
      run(path.join(consumer, 'node_modules/.bin/stormcheck'), ['verify', FIXTURE, '--reporter', 'json'], { cwd: consumer, env: { ...process.env, [PASS_THREAD_ENV]: setting } }).catch(
        (err: { code: number; stdout: string; stderr: string }) => err,
      );
    const [threaded, single] = [await verify('on'), await verify('off')];
    expect(threaded).toMatchObject({ code: 1, stderr: single.stderr });
    expect(threaded.stdout).toBe(single.stdout);
  });

  it('exports the in-process API with its types', async () => {
    const probe = "import * as s from 'stormcheck'; console.log(['verifyPaths','startGateway','startMockBroker','runProbe'].map((n) => typeof s[n]).join())";
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', probe], { cwd: consumer });
    expect(stdout.trim()).toBe('function,function,function,function');
    const types = await readFile(path.join(consumer, 'node_modules/stormcheck/dist/index.d.ts'), 'utf8');
    for (const name of ['verifyPaths', 'startGateway', 'startMockBroker', 'runProbe']) expect(types).toContain(name);
  });
});
