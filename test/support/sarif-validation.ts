import { spawn } from 'node:child_process';
import { access, constants, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import AjvDraft04 from 'ajv-draft-04';

/** The official OASIS SARIF 2.1.0 schema (errata 01), from oasis-tcs/sarif-spec sarif-2.1/schema/. */
const SCHEMA = new URL('../../fixtures/schemas/sarif-schema-2.1.0.json', import.meta.url);

/** The schema's complaints about a SARIF document, empty when valid (formats are left to the multitool). */
export async function schemaErrors(doc: unknown): Promise<string[]> {
  const ajv = new AjvDraft04.default({ strict: false, validateFormats: false, allErrors: true });
  const validate = ajv.compile(JSON.parse(await readFile(SCHEMA, 'utf8')) as object);
  return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/** The self-contained `sarif-multitool` binary of `@microsoft/sarif-multitool` for this platform. */
export function multitoolPath(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve(`@microsoft/sarif-multitool-${process.platform}/package.json`)), 'Sarif.Multitool');
}

/**
 * Runs `sarif-multitool validate` on a document and returns the error-level results it reports (schema
 * and SARIF rules); it runs offline. Rejects when the tool itself fails.
 */
export async function multitoolErrors(doc: unknown): Promise<string[]> {
  const bin = multitoolPath();
  await access(bin, constants.X_OK).catch(() => {
    throw new Error(`${bin} is not executable: npm skipped its postinstall (chmod u+x); run it by hand or allow the install script`);
  });
  const dir = await mkdtemp(path.join(tmpdir(), 'stormcheck-sarif-'));
  try {
    const input = path.join(dir, 'in.sarif');
    const output = path.join(dir, 'validation.sarif');
    await writeFile(input, JSON.stringify(doc));
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(bin, ['validate', input, '-o', output], { stdio: 'ignore' });
      child.on('error', reject);
      child.on('close', (c) => resolve(c ?? -1));
    });
    const log = JSON.parse(await readFile(output, 'utf8')) as { runs: { results?: { level?: string; ruleId: string; message: { text?: string } }[] }[] };
    const errors = log.runs.flatMap((r) => r.results ?? []).filter((r) => r.level === 'error').map((r) => `${r.ruleId}: ${r.message.text ?? ''}`);
    if (code !== 0 && errors.length === 0) throw new Error(`sarif-multitool validate exited ${code}`);
    return errors;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
