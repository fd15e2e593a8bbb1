import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRepositoryUrl, packageVersion } from '../../contract/package-version.ts';
import { fingerprint } from '../baseline/fingerprint.ts';
import { RULE_CATALOG, ruleEntry } from '../rules/index.ts';
import { ruleDocsUrl } from '../rules/rule-docs.ts';
import type { Finding, Severity, VerifyReport } from '../types.ts';
import { jsonDocumentChunks } from './json-chunks.ts';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };
const ROOT_ID = 'REPOROOT';

/** Where SARIF locations point: the repository root, and the files that judged a log outside it. */
export interface ReportAnchors {
  /** The repository root (GITHUB_WORKSPACE, or the folder holding .git); locations are relative to it. */
  repoRoot?: string;
  /** The config file of the run: the anchor of a built-in rule's finding in a log outside the repository. */
  configFile?: string;
  /** The rules file of the run: the anchor of a pattern rule's finding in a log outside the repository. */
  rulesFile?: string;
}

/**
 * SARIF 2.1.0 for code scanning: one result per finding, at its first evidence line relative to the
 * repository root. A log outside the repository is anchored to the config or rules file that judged it,
 * else to the log's own file:// URI, and its `file:line` goes into the message. Suppressed findings are
 * results with an external suppression, so they stay visible. Every rule carries its `helpUri`.
 */
export function renderSarif(report: VerifyReport, opts: { rules: readonly string[]; anchors?: ReportAnchors }): Iterable<string> {
  const anchors = opts.anchors ?? {};
  const findings = [...report.findings, ...(report.suppressed ?? [])];
  const ids = [...new Set([...RULE_CATALOG.map((r) => r.name), ...opts.rules, ...findings.map((f) => f.rule)])];
  const rules = ids.map((id) => {
    const entry = ruleEntry(id);
    return {
      id,
      shortDescription: { text: entry?.summary ?? `pattern rule ${id} from the rules file` },
      helpUri: ruleDocsUrl(id),
      help: { text: `See ${ruleDocsUrl(id)}` },
      defaultConfiguration: { level: LEVEL[entry?.severity ?? 'error'] },
    };
  });
  const results = findings.map((f, i) => ({
    ruleId: f.rule,
    ruleIndex: ids.indexOf(f.rule),
    level: LEVEL[f.severity],
    ...located(f, anchors),
    partialFingerprints: { 'stormcheck/v1': fingerprint(f) },
    ...(i >= report.findings.length && report.baseline
      ? { suppressions: [{ kind: 'external', status: 'accepted', justification: `accepted in baseline ${report.baseline.file}` }] }
      : {}),
    properties: { count: f.count, first: f.first, last: f.last, input: f.input, user: f.user, broker: f.broker, stormKind: f.stormKind, docsUrl: f.docsUrl },
  }));
  const run = {
    tool: {
      driver: {
        name: 'stormcheck',
        version: packageVersion(),
        semanticVersion: packageVersion(),
        informationUri: packageRepositoryUrl(),
        rules,
      },
    },
    ...(anchors.repoRoot ? { originalUriBaseIds: { [ROOT_ID]: { uri: pathToFileURL(`${anchors.repoRoot}${path.sep}`).href } } } : {}),
    invocations: [
      {
        executionSuccessful: !report.error,
        exitCode: report.exitCode,
        ...(report.error ? { toolExecutionNotifications: [{ level: 'error', message: { text: report.error.message } }] } : {}),
        // Entries skipped under --skip-unreadable: the run succeeded, but judged less than it was given.
        ...(!report.error && report.unreadableCount > 0
          ? { toolExecutionNotifications: [{ level: 'warning', message: { text: `${report.unreadableCount} unreadable skipped (--skip-unreadable): ${report.unreadable.map((u) => `${u.file}: ${u.reason}`).join('; ')}` } }] }
          : {}),
      },
    ],
    results,
    properties: { verdict: report.verdict, failOn: report.failOn, linesRead: report.linesRead, baseline: report.baseline, unreadableCount: report.unreadableCount },
  };
  return jsonDocumentChunks({ $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs: [run] });
}

function located(f: Finding, anchors: ReportAnchors): { message: { text: string }; locations?: unknown[] } {
  const text = `${f.message} (count ${f.count}, ${f.first} .. ${f.last}; docs: ${f.docsUrl})`;
  const at = f.evidence[0];
  if (!at) return { message: { text } };
  const file = at.file === '-' ? undefined : path.resolve(at.file);
  const inRepo = (p: string | undefined) => p !== undefined && anchors.repoRoot !== undefined && !path.relative(anchors.repoRoot, p).startsWith('..');
  if (inRepo(file)) return { message: { text }, locations: [repoLocation(file!, at.line, anchors.repoRoot!)] };
  const where = `${at.file}:${at.line}`;
  const judges = ruleEntry(f.rule) ? [anchors.configFile, anchors.rulesFile] : [anchors.rulesFile, anchors.configFile];
  const judgedBy = judges.find(inRepo);
  if (judgedBy) return { message: { text: `${text} at ${where}` }, locations: [repoLocation(judgedBy, 1, anchors.repoRoot!)] };
  if (file === undefined) return { message: { text: `${text} at ${where}` } };
  return { message: { text: `${text} at ${where}` }, locations: [{ physicalLocation: { artifactLocation: { uri: pathToFileURL(file).href }, region: { startLine: at.line } } }] };
}

function repoLocation(file: string, line: number, root: string) {
  const uri = path.relative(root, file).split(path.sep).map(encodeURIComponent).join('/');
  return { physicalLocation: { artifactLocation: { uri, uriBaseId: ROOT_ID }, region: { startLine: line } } };
}
