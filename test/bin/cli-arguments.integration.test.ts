import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { stormcheck, tempDirPerTest } from '../support/run-stormcheck.ts';

const FIXTURE = new URL('../../fixtures/logs/docker-churn.log', import.meta.url).pathname;

const tmp = tempDirPerTest();

/** A usage mistake: exit 2, nothing on stdout, exactly one line on stderr. */
function expectUsageError(result: { code: number; stdout: string; stderr: string }, line: RegExp): void {
  expect(result.stdout).toBe('');
  expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(line)]);
  expect(result.code).toBe(2);
}

/** Counts connections to a TCP port, so a test can show the CLI never reached its target. */
async function connectionCounter(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server = createServer((_req, res) => res.end());
  server.on('connection', () => count++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    connections: () => count,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('argument mistakes are refused before any work, through the built CLI', () => {
  it('verify --reporterr: did-you-mean --reporter, and no report written', async () => {
    const report = `${tmp.dir}/report.json`;
    const result = await stormcheck(['verify', FIXTURE, '--reporterr', 'json', '--output', report]);

    expectUsageError(result, /^stormcheck: unknown option --reporterr; did you mean --reporter\?/);
    expect(await readdir(tmp.dir)).toEqual([]);
  });

  it('gateway --prot: did-you-mean --port, and nothing is served', async () => {
    const result = await stormcheck(['gateway', '--prot', '1', '--port', '0', '--admin-port', '0']);

    expectUsageError(result, /^stormcheck: unknown option --prot; did you mean --port\?/);
  });

  it('probe --jsno: did-you-mean --json, and the endpoint is never contacted', async () => {
    const target = await connectionCounter();
    try {
      const result = await stormcheck(['probe', target.url, '--api-key', 'K', '--log', FIXTURE, '--duration', '2s', '--jsno']);

      expectUsageError(result, /^stormcheck: unknown option --jsno; did you mean --json\?/);
      expect(target.connections()).toBe(0);
    } finally {
      await target.close();
    }
  });

  it('reproduce --mode bogus: the choices, not a TypeError, and no temp folder', async () => {
    const result = await stormcheck(['reproduce', '--mode', 'bogus'], { env: { ...process.env, TMPDIR: tmp.dir } });

    expectUsageError(result, /^stormcheck: --mode bogus is not one of all, legacy-2025, legacy-2026, legacy, singleton$/);
    expect(await readdir(tmp.dir)).toEqual([]);
  });

  it('probe --scenario storm: the choices, not a TypeError, and the endpoint is never contacted', async () => {
    const target = await connectionCounter();
    try {
      const result = await stormcheck(['probe', target.url, '--api-key', 'K', '--log', FIXTURE, '--scenario', 'storm']);

      expectUsageError(result, /^stormcheck: --scenario storm is not one of burst, churn, reconnect, all$/);
      expect(target.connections()).toBe(0);
    } finally {
      await target.close();
    }
  });

  it("a number option given text says got 'abc', not NaN", async () => {
    const result = await stormcheck(['reproduce', '--clients', 'abc'], { env: { ...process.env, TMPDIR: tmp.dir } });

    expectUsageError(result, /^stormcheck: --clients must be a number, got 'abc'$/);
    expect(await readdir(tmp.dir)).toEqual([]);
  });

  it("--name=value spelling is quoted the same way", async () => {
    expectUsageError(await stormcheck(['verify', FIXTURE, '--burst=two']), /^stormcheck: --burst must be a number, got 'two'$/);
  });

  it('probe without its endpoint says what to give, on one line', async () => {
    expectUsageError(
      await stormcheck(['probe']),
      /^stormcheck: name <ws-url>, as in: stormcheck probe <ws-url> \[options\] \(see stormcheck probe --help\)$/,
    );
    expectUsageError(await stormcheck(['probe', '--api-key', 'K']), /^stormcheck: name <ws-url>, as in: stormcheck probe <ws-url>/);
  });

  it('a mistyped command gets a did-you-mean', async () => {
    expectUsageError(await stormcheck(['verfy', FIXTURE]), /^stormcheck: unknown command; did you mean verify\?/);
  });

  it('verify --fail-on warn lists the severities and suggests warning', async () => {
    expectUsageError(await stormcheck(['verify', FIXTURE, '--fail-on', 'warn']), /^stormcheck: --fail-on warn is not one of error, warning, info; did you mean warning\?$/);
  });
});

describe('version', () => {
  it('-v and --version print package.json version', async () => {
    const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['-v', '--version']) {
      const result = await stormcheck([flag]);
      expect(result).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });
});

describe('help texts', () => {
  for (const command of ['verify', 'reproduce', 'probe', 'gateway', 'mock-broker']) {
    it(`${command} --help lists exit codes and keeps each example command on one line`, async () => {
      const { code, stdout, stderr } = await stormcheck([command, '--help']);
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout).toMatch(/Exit codes: .*\b2 /);
      const examples = stdout.slice(stdout.indexOf('Examples:')).split('\n\n')[0]!.split('\n').slice(1);
      expect(examples.length).toBeGreaterThan(1);
      for (const line of examples) expect(line).toMatch(/^ {2}(# |stormcheck |\S+.*\| stormcheck |curl )/);
    });
  }
});

describe('--output', () => {
  it('creates missing parent folders', async () => {
    const report = `${tmp.dir}/reports/ci/verify.json`;
    const result = await stormcheck(['verify', FIXTURE, '--reporter', 'json', '--output', report]);

    expect(result.code).toBe(1);
    expect(JSON.parse(await readFile(report, 'utf8'))).toHaveProperty('findings');
  });
});

describe('reproduce', () => {
  it('removes its temporary log folder; --log-dir keeps the logs', async () => {
    const env = { ...process.env, TMPDIR: tmp.dir };
    const temp = await stormcheck(['reproduce', '--mode', 'singleton', '--clients', '2', '--duration', '2s', '--json'], { env });
    expect(temp.code).toBe(0);
    expect(await readdir(tmp.dir)).toEqual([]);
    expect(JSON.parse(temp.stdout).modes[0]).not.toHaveProperty('logFile');

    const kept = `${tmp.dir}/kept/logs`;
    const keep = await stormcheck(['reproduce', '--mode', 'singleton', '--clients', '2', '--duration', '2s', '--log-dir', kept], { env });
    expect(keep.code).toBe(0);
    expect(await readdir(kept)).toEqual(['gateway-singleton.log']);
    expect(keep.stdout).toContain(`gateway logs: ${kept}/gateway-singleton.log`);
  });
});
