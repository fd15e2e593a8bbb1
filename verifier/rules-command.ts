import { readFile } from 'node:fs/promises';
import type { Argv, CommandModule } from 'yargs';
import { nearestName } from '../contract/nearest-name.ts';
import { UsageError } from '../contract/usage-error.ts';
import { RULE_CATALOG, ruleEntry, severityText, type RuleEntry } from './rules/index.ts';
import { ruleDocsUrl, rulesPageUrl } from './rules/rule-docs.ts';
import { ruleThresholdValues } from './rules/threshold-text.ts';
import { DEFAULT_THRESHOLDS, thresholdNamed } from './rules/thresholds.ts';

interface RulesArgs {
  name?: string;
  json: boolean;
}

/** docs/rules.md, shipped next to the code (the build copies it to dist/docs/): one text, no second copy. */
const RULES_DOC = new URL('../docs/rules.md', import.meta.url);

/** One rule as `stormcheck rules --json` lists it. */
export interface RuleDescription {
  name: string;
  severity: string;
  thresholds: Record<string, string | number>;
  summary: string;
  docsUrl: string;
}

export const rulesCommand: Pick<CommandModule<object, RulesArgs>, 'builder' | 'handler'> = {
  builder: (y: Argv) =>
    y
      .positional('name', { type: 'string', describe: 'a rule to explain (see the list)' })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON instead of text' })
      .example('$0 rules', 'every rule with its default severity, thresholds and one line')
      .example('$0 rules adapter-burst', 'explain one rule')
      .example('$0 rules --json', 'the list as JSON, for scripts') as unknown as Argv<RulesArgs>,
  handler: async (args) => {
    if (args.name === undefined) {
      const all = RULE_CATALOG.map(describeRule);
      process.stdout.write(args.json ? `${JSON.stringify(all, null, 2)}\n` : listText(all));
      return;
    }
    const entry = ruleEntry(args.name);
    if (!entry) {
      throw new UsageError(`unknown rule ${args.name}; did you mean ${nearestName(args.name, RULE_CATALOG.map((r) => r.name))}? (stormcheck rules lists them)`);
    }
    const rule = describeRule(entry);
    const explanation = ruleSection(await readFile(RULES_DOC, 'utf8'), entry.name);
    process.stdout.write(args.json ? `${JSON.stringify({ ...rule, explanation }, null, 2)}\n` : explainText(rule, explanation));
  },
};

export function describeRule(entry: RuleEntry): RuleDescription {
  return {
    name: entry.name,
    severity: severityText(entry),
    thresholds: ruleThresholdValues(entry.name, DEFAULT_THRESHOLDS),
    summary: entry.summary,
    docsUrl: ruleDocsUrl(entry.name),
  };
}

/** The text under `## <rule>` in docs/rules.md, up to the next heading of that level. */
export function ruleSection(markdown: string, rule: string): string {
  const start = markdown.indexOf(`\n## ${rule}\n`);
  if (start < 0) return '';
  const body = markdown.slice(start + rule.length + 5);
  const end = body.search(/^## /m);
  return (end < 0 ? body : body.slice(0, end)).trim();
}

/** Each threshold as the user would set it: its own flag where it has one, else `--threshold NAME=VALUE`. */
function thresholdsText(t: RuleDescription['thresholds']): string {
  const pairs = Object.entries(t);
  if (pairs.length === 0) return '—';
  return pairs.map(([name, v]) => (thresholdNamed(name)?.option === undefined ? `--threshold ${name}=${v}` : `--${name} ${v}`)).join(', ');
}

function listText(rules: RuleDescription[]): string {
  const width = Math.max(...rules.map((r) => r.name.length));
  const lines = rules.map((r) => `${r.name.padEnd(width)}  ${r.severity.split(' ')[0]!.padEnd(7)}  ${thresholdsText(r.thresholds).padEnd(26)}  ${r.summary}`);
  return `${['rule'.padEnd(width), 'severity', 'thresholds (default)'.padEnd(26), 'what it finds'].join('  ')}\n${lines.join('\n')}\n\nstormcheck rules <name> explains one; docs: ${rulesPageUrl()}\n`;
}

function explainText(r: RuleDescription, explanation: string): string {
  return [
    `${r.name}: ${r.summary}`,
    `severity: ${r.severity}`,
    `thresholds: ${thresholdsText(r.thresholds)}`,
    `docs: ${r.docsUrl}`,
    '',
    explanation,
    '',
  ].join('\n');
}
