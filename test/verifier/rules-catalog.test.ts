import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { RULE_CATALOG } from '../../verifier/rules/index.ts';
import { ruleDocsUrl } from '../../verifier/rules/rule-docs.ts';
import { THRESHOLD_SPECS } from '../../verifier/rules/thresholds.ts';
import { ruleSection } from '../../verifier/rules-command.ts';

const RULES_DOC = new URL('../../docs/rules.md', import.meta.url);

describe('the rule catalog', () => {
  it('gives every rule a section in docs/rules.md that says what it means in OpenAlgo terms and how to fix it', async () => {
    const doc = await readFile(RULES_DOC, 'utf8');
    for (const rule of RULE_CATALOG) {
      const section = ruleSection(doc, rule.name);
      expect(section, rule.name).toContain('**In OpenAlgo:**');
      expect(section, rule.name).toContain('**Fix:**');
      expect(doc, rule.name).toContain(`| [\`${rule.name}\`](#${rule.name}) |`);
    }
  });

  it('names only catalog rules as the rules a threshold tunes', () => {
    const names = RULE_CATALOG.map((r) => r.name);
    for (const spec of THRESHOLD_SPECS) for (const rule of spec.rules) expect(names, spec.name).toContain(rule);
  });

  it('links a built-in rule to its heading at the version tag, and a pattern rule to the rules-file format', () => {
    expect(ruleDocsUrl('adapter-burst')).toMatch(/^https:\/\/github\.com\/[^/]+\/stormcheck\/blob\/v\d+\.\d+\.\d+\/docs\/rules\.md#adapter-burst$/);
    expect(ruleDocsUrl('my-own-pattern')).toMatch(/\/docs\/verify\.md#rules-file$/);
  });

  it('takes a section up to the next heading only', () => {
    const doc = '# Rules\n\n## a\n\nfirst\n\n## b\n\nsecond\n';
    expect(ruleSection(doc, 'a')).toBe('first');
    expect(ruleSection(doc, 'b')).toBe('second');
    expect(ruleSection(doc, 'c')).toBe('');
  });
});
