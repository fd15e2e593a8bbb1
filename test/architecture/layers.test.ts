import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;

/**
 * The layers of docs/architecture.md#layers, lowest first. A part imports only from lower ranks (or
 * itself); parts of one rank never import each other. bench/, test/ and tools/ sit above everything
 * and share helpers (the benchmarks start redis-server with the tests' helper).
 */
const RANK: Record<string, number> = {
  contract: 0,
  'protocol/smartapi': 1,
  'protocol/openalgo': 2,
  gateway: 3,
  'mock-broker': 3,
  verifier: 3,
  scenarios: 4,
  bin: 5,
  'index.ts': 5,
  bench: 6,
  test: 6,
  tools: 6,
};

/** Parts that others may enter only through their index.ts (and bin/ through the command module it loads lazily). */
const SEALED = ['protocol/openalgo', 'protocol/smartapi', 'mock-broker'];
const TOOLING = RANK.test!;

function partOf(file: string): string | undefined {
  const [top, second] = file.split('/');
  if (top === 'protocol' && second !== undefined) return `protocol/${second}`;
  return top !== undefined && top in RANK ? top : undefined;
}

/** A suite under test/<part>/ tests that part's insides, so it may import them directly. */
function ownPart(file: string): string | undefined {
  const [top, second, third] = file.split('/');
  if (top !== 'test') return partOf(file);
  if (second === 'protocol' && third !== undefined) return `protocol/${third.startsWith('smartapi') ? 'smartapi' : 'openalgo'}`;
  return second;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir)).flatMap((name) => {
    const rel = path.join(dir, name);
    if (statSync(path.join(ROOT, rel)).isDirectory()) return sourceFiles(rel);
    return rel.endsWith('.ts') ? [rel] : [];
  });
}

const IMPORT = /(?:\bfrom\s+|\bimport\s*\(\s*|^import\s+)'(\.{1,2}\/[^']+)'/gm;

/** Every relative import in the repository's TypeScript, as [importing file, imported file]. */
function importEdges(): [string, string][] {
  const files = ['index.ts', ...Object.keys(RANK).filter((p) => p !== 'index.ts' && !p.startsWith('protocol/')).flatMap(sourceFiles), ...sourceFiles('protocol')];
  return files.flatMap((file) =>
    [...readFileSync(path.join(ROOT, file), 'utf8').matchAll(IMPORT)].map(
      (m): [string, string] => [file, path.normalize(path.join(path.dirname(file), m[1]!))],
    ),
  );
}

export function layerViolations(edges: [string, string][]): string[] {
  const problems: string[] = [];
  for (const [from, to] of edges) {
    const source = partOf(from);
    const target = partOf(to);
    if (source === undefined || target === undefined || source === target) continue;
    if (RANK[source]! < TOOLING && RANK[target]! >= RANK[source]!) problems.push(`${from} imports ${to}: ${target} is not below ${source}`);
    const sealed = SEALED.find((part) => target === part);
    const entries = [`${sealed}/index.ts`, ...(source === 'bin' ? [`${sealed}/command.ts`] : [])];
    if (sealed && ownPart(from) !== sealed && !entries.includes(to)) problems.push(`${from} imports ${to}: enter ${sealed} through ${sealed}/index.ts`);
  }
  return problems;
}

/**
 * Inside a part, each sub-folder (gateway/upstream/, verifier/input/…) and each top-level file is one
 * node; a cycle between nodes means a folder no longer says what depends on what.
 */
export function folderCycles(edges: [string, string][]): string[][] {
  const nodeOf = (file: string): string => {
    const parts = file.split('/');
    const depth = parts[0] === 'protocol' ? 3 : 2;
    return parts.length > depth ? `${parts.slice(0, depth).join('/')}/` : file;
  };
  const graph = new Map<string, Set<string>>();
  for (const [from, to] of edges) {
    const [a, b] = [nodeOf(from), nodeOf(to)];
    if (a === b || partOf(from) !== partOf(to) || partOf(from) === undefined || RANK[partOf(from)!]! >= TOOLING) continue;
    graph.set(a, (graph.get(a) ?? new Set()).add(b));
  }
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

describe('layers', () => {
  it('no part imports a later layer or a sibling, and sealed parts are entered through their index.ts', () => {
    expect(layerViolations(importEdges())).toEqual([]);
  });

  it('no cycle between the sub-folders of a part (gateway/upstream/ no longer imports gateway/registry/)', () => {
    expect(folderCycles(importEdges())).toEqual([]);
    expect(
      folderCycles([
        ['gateway/upstream/adapter.ts', 'gateway/registry/registry.ts'],
        ['gateway/registry/registry.ts', 'gateway/legacy/angel-adapter-2025.ts'],
        ['gateway/legacy/angel-adapter-2025.ts', 'gateway/upstream/lifecycle.ts'],
        ['gateway/gateway.ts', 'gateway/upstream/adapter.ts'],
        ['test/gateway/a.test.ts', 'test/support/b.ts'],
        ['test/support/b.ts', 'test/gateway/a.test.ts'],
      ]),
    ).toEqual([['gateway/upstream/', 'gateway/registry/', 'gateway/legacy/', 'gateway/upstream/']]);
  });

  it('the verifier imports no gateway, mock-broker or scenarios code', () => {
    const leaks = importEdges().filter(([from, to]) => from.startsWith('verifier/') && /^(gateway|mock-broker|scenarios)\//.test(to));
    expect(leaks).toEqual([]);
  });

  it('the check itself catches each kind of violation', () => {
    expect(
      layerViolations([
        ['contract/usage-error.ts', 'gateway/legacy/time-scale.ts'],
        ['verifier/verify.ts', 'gateway/index.ts'],
        ['scenarios/probe/probe.ts', 'mock-broker/types.ts'],
        ['gateway/instruments.ts', 'protocol/smartapi/constants.ts'],
        ['test/gateway/adapter.test.ts', 'mock-broker/server.ts'],
        ['test/mock-broker/slots.test.ts', 'mock-broker/server.ts'],
        ['test/protocol/smartapi-codec.test.ts', 'protocol/smartapi/codec.ts'],
        ['scenarios/probe/probe.ts', 'mock-broker/index.ts'],
        ['gateway/gateway.ts', 'gateway/upstream/adapter.ts'],
        ['bin/cli.ts', 'mock-broker/command.ts'],
        ['bin/cli.ts', 'mock-broker/server.ts'],
        ['bench/fanout.ts', 'test/support/redis-server.ts'],
        ['gateway/cluster/redis-connection.ts', 'test/support/redis-server.ts'],
      ]),
    ).toEqual([
      'contract/usage-error.ts imports gateway/legacy/time-scale.ts: gateway is not below contract',
      'verifier/verify.ts imports gateway/index.ts: gateway is not below verifier',
      'scenarios/probe/probe.ts imports mock-broker/types.ts: enter mock-broker through mock-broker/index.ts',
      'gateway/instruments.ts imports protocol/smartapi/constants.ts: enter protocol/smartapi through protocol/smartapi/index.ts',
      'test/gateway/adapter.test.ts imports mock-broker/server.ts: enter mock-broker through mock-broker/index.ts',
      'bin/cli.ts imports mock-broker/server.ts: enter mock-broker through mock-broker/index.ts',
      'gateway/cluster/redis-connection.ts imports test/support/redis-server.ts: test is not below gateway',
    ]);
  });
});
