import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { multitoolErrors, schemaErrors } from '../support/sarif-validation.ts';
import { stormcheck, tempDirPerTest } from '../support/run-stormcheck.ts';

const REPO = new URL('../../', import.meta.url).pathname.replace(/\/$/, '');
const INCIDENT = path.join(REPO, 'fixtures/logs/incident.log');
const tmp = tempDirPerTest();

interface Sarif {
  version: string;
  runs: {
    tool: { driver: { rules: { id: string; helpUri: string }[] } };
    results: {
      ruleId: string;
      level: string;
      message: { text: string };
      locations?: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: { startLine: number } } }[];
      suppressions?: { kind: string }[];
    }[];
  }[];
}

async function sarif(args: string[], root: string): Promise<{ code: number; doc: Sarif }> {
  const { code, stdout } = await stormcheck(['verify', ...args, '--reporter', 'sarif'], { env: { ...process.env, GITHUB_WORKSPACE: root } });
  return { code, doc: JSON.parse(stdout) as Sarif };
}

describe('--reporter sarif', () => {
  it('is valid SARIF 2.1.0 by the official schema and sarif-multitool, with repository-relative locations and helpUri', async () => {
    const { code, doc } = await sarif([INCIDENT], REPO);
    expect(code).toBe(1);
    expect(await schemaErrors(doc)).toEqual([]);
    expect(await multitoolErrors(doc)).toEqual([]);
    const run = doc.runs[0]!;
    for (const rule of run.tool.driver.rules) expect(rule.helpUri).toMatch(new RegExp(`/docs/rules\\.md#${rule.id}$`));
    expect(run.results.length).toBeGreaterThan(0);
    for (const r of run.results) {
      expect(r.locations![0]!.physicalLocation.artifactLocation).toEqual({ uri: 'fixtures/logs/incident.log', uriBaseId: 'REPOROOT' });
      expect(r.locations![0]!.physicalLocation.region.startLine).toBeGreaterThan(0);
    }
  });

  it('anchors a log outside the repository to the config file that judged it, with file:line in the message', async () => {
    const repo = path.join(tmp.dir, 'repo');
    await mkdir(repo);
    await writeFile(path.join(repo, 'stormcheck.config.json'), JSON.stringify({ failOn: 'error' }));
    const log = path.join(tmp.dir, 'outside.log');
    await copyFile(INCIDENT, log);
    const { doc } = await sarif([log, '--config', path.join(repo, 'stormcheck.config.json')], repo);
    const [first] = doc.runs[0]!.results;
    expect(first!.locations![0]!.physicalLocation).toEqual({ artifactLocation: { uri: 'stormcheck.config.json', uriBaseId: 'REPOROOT' }, region: { startLine: 1 } });
    expect(first!.message.text).toMatch(new RegExp(`at ${log.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+$`));
    expect(await schemaErrors(doc)).toEqual([]);
  });

  it("anchors a pattern rule's finding to the rules file that judged it", async () => {
    const repo = path.join(tmp.dir, 'repo');
    await mkdir(repo);
    await writeFile(path.join(repo, 'stormcheck.config.json'), JSON.stringify({ rulesFile: 'rules.json' }));
    await writeFile(path.join(repo, 'rules.json'), JSON.stringify([{ name: 'any-connect', pattern: 'Connecting to' }]));
    const log = path.join(tmp.dir, 'outside.log');
    await copyFile(INCIDENT, log);
    const { doc } = await sarif([log, '--config', path.join(repo, 'stormcheck.config.json')], repo);
    const anchor = (rule: string) => doc.runs[0]!.results.find((r) => r.ruleId === rule)!.locations![0]!.physicalLocation.artifactLocation.uri;
    expect(anchor('any-connect')).toBe('rules.json');
    expect(anchor('connect-storm')).toBe('stormcheck.config.json');
  });

  it("falls back to the log's own file:// URI when nothing in the repository judged it", async () => {
    const log = path.join(tmp.dir, 'outside.log');
    await copyFile(INCIDENT, log);
    const { doc } = await sarif([log], path.join(tmp.dir, 'elsewhere'));
    const loc = doc.runs[0]!.results[0]!.locations![0]!.physicalLocation;
    expect(loc.artifactLocation.uri).toBe(pathToFileURL(log).href);
    expect(await multitoolErrors(doc)).toEqual([]);
  });

  it('lists baseline-suppressed findings as results with an external suppression', async () => {
    const baseline = path.join(tmp.dir, 'baseline.json');
    await stormcheck(['verify', INCIDENT, '--update-baseline', baseline]);
    const { code, doc } = await sarif([INCIDENT, '--baseline', baseline], REPO);
    expect(code).toBe(0);
    const results = doc.runs[0]!.results;
    expect(results.length).toBeGreaterThan(0);
    expect(results.every((r) => r.suppressions?.[0]?.kind === 'external')).toBe(true);
    expect(await schemaErrors(doc)).toEqual([]);
    expect(await multitoolErrors(doc)).toEqual([]);
  });

  it('the validators can fail: a result without a message is rejected by both', async () => {
    const { doc } = await sarif([INCIDENT], REPO);
    delete (doc.runs[0]!.results[0] as { message?: unknown }).message;
    expect(await schemaErrors(doc)).not.toEqual([]);
    expect(await multitoolErrors(doc)).not.toEqual([]);
  });
});
