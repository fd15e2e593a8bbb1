import { packageRepositoryUrl, packageVersion } from '../../contract/package-version.ts';
import { ruleEntry } from './catalog.ts';

/**
 * Where a rule is explained: its heading in docs/rules.md at the installed version's tag, so the text
 * matches the code that reported it. A pattern rule from a rules file links to the rules-file format.
 */
export function ruleDocsUrl(rule: string): string {
  return ruleEntry(rule) ? `${rulesPageUrl()}#${rule}` : `${docsUrl()}/verify.md#rules-file`;
}

/** docs/rules.md at the installed version's tag. */
export function rulesPageUrl(): string {
  return `${docsUrl()}/rules.md`;
}

function docsUrl(): string {
  return `${packageRepositoryUrl()}/blob/v${packageVersion()}/docs`;
}
