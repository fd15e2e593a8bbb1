import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;
const CODE_ROOTS = ['index.ts', 'bin', 'contract', 'protocol', 'gateway', 'mock-broker', 'verifier', 'scenarios', 'test', 'bench', 'tools'];

function filesUnder(rel: string, keep: (file: string) => boolean): string[] {
  const abs = path.join(ROOT, rel);
  if (!statSync(abs).isDirectory()) return keep(rel) ? [rel] : [];
  return readdirSync(abs).flatMap((name) => filesUnder(path.join(rel, name), keep));
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of withoutFences(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    const explicit = [...line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)].map((m) => m[1]!);
    for (const id of explicit) anchors.add(id);
    if (!heading) continue;
    const base = heading[1]!
      .replace(/<[^>]+>/g, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

function* withoutFences(markdown: string): Generator<string> {
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    else if (!fenced) yield line.replace(/`[^`]*`/g, (code) => (line.trimStart().startsWith('#') ? code : ''));
  }
}

/** Relative link targets (`[text](target)`, images too) outside code, as written. */
export function relativeLinks(markdown: string): string[] {
  const links: string[] = [];
  for (const line of withoutFences(markdown)) {
    for (const m of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      const target = m[1]!;
      if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) links.push(target);
    }
  }
  return links;
}

/** The dead links of one document: a missing file, or an anchor its target does not define. */
export function deadLinks(doc: string, markdown: string, read: (file: string) => string | undefined): string[] {
  return relativeLinks(markdown).flatMap((link) => {
    const [file, anchor] = link.split('#') as [string, string | undefined];
    const target = file === '' ? doc : path.normalize(path.join(path.dirname(doc), decodeURIComponent(file)));
    const text = target === doc ? markdown : read(target);
    if (text === undefined) return [`${doc}: ${link} (no such file)`];
    if (anchor && target.endsWith('.md') && !headingAnchors(text).has(anchor)) return [`${doc}: ${link} (no such heading)`];
    return [];
  });
}

function readIfPresent(rel: string): string | undefined {
  const abs = path.join(ROOT, rel);
  if (!existsSync(abs)) return undefined;
  return statSync(abs).isDirectory() ? '' : readFileSync(abs, 'utf8');
}

describe('documentation links', () => {
  it('every relative link in README.md and docs/ resolves, anchors included', () => {
    const documents = ['README.md', ...filesUnder('docs', (f) => f.endsWith('.md'))];
    expect(documents.length).toBeGreaterThan(1);
    const dead = documents.flatMap((doc) => deadLinks(doc, readFileSync(path.join(ROOT, doc), 'utf8'), readIfPresent));
    expect(dead).toEqual([]);
  });

  it('every docs/…#anchor cited from code exists', () => {
    // This file's own checks cite made-up documents on purpose.
    const code = CODE_ROOTS.flatMap((root) => filesUnder(root, (f) => f.endsWith('.ts') && f !== 'test/docs/links.test.ts'));
    const citations = code.flatMap((file) =>
      [...readFileSync(path.join(ROOT, file), 'utf8').matchAll(/\bdocs\/([\w/-]+\.md)(?:#([\w-]+))?/g)].map((m) => ({ file, doc: `docs/${m[1]}`, anchor: m[2] })),
    );
    expect(citations.length).toBeGreaterThan(30);
    const dead = citations
      .filter(({ doc, anchor }) => {
        const text = readIfPresent(doc);
        return text === undefined || (anchor !== undefined && !headingAnchors(text).has(anchor));
      })
      .map(({ file, doc, anchor }) => `${file}: ${doc}${anchor ? `#${anchor}` : ''}`);
    expect(dead).toEqual([]);
  });

  it('code cites no document outside the repository (the product spec and its sibling files); docs/…#anchor instead', () => {
    // Spelled with an escape and a character class so this file does not match its own check.
    const outsideCitation = /\bSPEC \u00a7|\bshared[/][\w-]+\.md/;
    const code = CODE_ROOTS.flatMap((root) => filesUnder(root, (f) => f.endsWith('.ts')));
    const unreadable = code.flatMap((file) =>
      readFileSync(path.join(ROOT, file), 'utf8')
        .split('\n')
        .flatMap((line, i) => (outsideCitation.test(line) ? [`${file}:${i + 1}`] : [])),
    );
    expect(unreadable).toEqual([]);
  });

  it('the checker finds a missing file, a missing heading and a fenced example it must ignore', () => {
    const docs: Record<string, string> = { 'docs/a.md': '# Title\n## `stormcheck verify`: the gate\n## Options\n## Options\n' };
    const markdown = [
      '[ok](a.md#stormcheck-verify-the-gate) [ok](a.md#options-1) [ok](#here) ![img](a.md)',
      '## Here',
      '[gone](b.md) [bad](a.md#nope) [web](https://example.com/x.md)',
      '```',
      '[inside a fence](nowhere.md)',
      '```',
    ].join('\n');
    expect(deadLinks('docs/index.md', markdown, (f) => docs[f])).toEqual(['docs/index.md: b.md (no such file)', 'docs/index.md: a.md#nope (no such heading)']);
  });
});
