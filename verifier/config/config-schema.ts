import { REPORTER_NAMES } from '../reporters/index.ts';
import { RULE_CATALOG } from '../rules/index.ts';
import { ruleThresholds } from '../rules/threshold-text.ts';
import type { ThresholdSpec } from '../rules/thresholds.ts';
import { SEVERITIES } from '../types.ts';

/** The file name searched for from the working directory upward. */
export const CONFIG_FILE_NAME = 'stormcheck.config.json';

/** What a rule may be set to: off, or one of the severities. */
export const RULE_LEVELS = ['off', ...SEVERITIES] as const;

/** The top-level keys of stormcheck.config.json. */
export const CONFIG_KEYS = ['$schema', 'inputs', 'reporters', 'failOn', 'rulesFile', 'rules'] as const;

const DURATION_PATTERN = '^\\d+(\\.\\d+)?(ms|s|m|h)$';

/**
 * The JSON Schema (draft-07) of stormcheck.config.json, built from the rule catalog, so a rule or a
 * threshold added there is completed by editors too. Shipped as schema/stormcheck.config.schema.json.
 */
export function configSchema(): Record<string, unknown> {
  const level = { enum: [...RULE_LEVELS] };
  const threshold = (spec: ThresholdSpec) =>
    spec.unit === 'duration'
      ? { type: 'string', pattern: DURATION_PATTERN, description: 'a duration with its unit: 500ms, 60s, 2m, 1h' }
      : { type: 'integer', minimum: 1 };
  const rules = Object.fromEntries(
    RULE_CATALOG.map((r) => [
      r.name,
      {
        description: r.summary,
        oneOf: [
          level,
          {
            type: 'object',
            additionalProperties: false,
            properties: {
              severity: level,
              thresholds: {
                type: 'object',
                additionalProperties: false,
                properties: Object.fromEntries(ruleThresholds(r.name).map((s) => [s.name, { ...threshold(s), description: s.describe }])),
              },
            },
          },
        ],
      },
    ]),
  );
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'stormcheck.config.json',
    description: 'Settings of stormcheck verify (docs/verify.md#config-file); command-line flags override them.',
    type: 'object',
    additionalProperties: false,
    properties: {
      $schema: { type: 'string' },
      inputs: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'log files, folders or globs, relative to this file' },
      reporters: {
        type: 'array',
        items: { type: 'string', pattern: `^(${REPORTER_NAMES.join('|')})(=.+)?$` },
        description: 'NAME or NAME=FILE, as --reporter; FILE relative to this file',
      },
      failOn: { enum: [...SEVERITIES] },
      rulesFile: { type: 'string', minLength: 1, description: 'a pattern rules file, relative to this file' },
      rules: { type: 'object', additionalProperties: false, properties: rules },
    },
  };
}
