import { packageRepositoryUrl, packageVersion } from '../../contract/package-version.ts';
import { ruleEntry } from './catalog.ts';

/**
 * Where a rule is explained: its heading in docs/rules.md at the installed version's tag, so the text
 * matches the code that reported it. A pattern rule from a rules file links to the rules-file format.
 */
export function ruleDocsUrl(rule: string): string {
  const docs = `${packageRepositoryUrl()}/blob/v${packageVersion()}/docs`;
  return ruleEntry(rule) ? `${docs}/rules.md#${rule}` : `${docs}/verify.md#rules-file`;
}
