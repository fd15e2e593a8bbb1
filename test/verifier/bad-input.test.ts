import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { VerifyInputError, verifyPaths } from '../../verifier/index.ts';
import { tempDirPerTest } from '../support/run-stormcheck.ts';

const incident = await readFile(new URL('../../fixtures/logs/incident.log', import.meta.url));

const tmp = tempDirPerTest();

describe('bad input never passes silently', () => {
  it('rejects in-process with a typed error that names the file', async () => {
    const missing = `${tmp.dir}/nope.log`;
    await expect(verifyPaths([missing])).rejects.toMatchObject({ name: 'VerifyInputError', code: 'NOT_FOUND', file: missing });
    const cut = await tmp.file('cut.gz', gzipSync(incident).subarray(0, 40));
    const err = await verifyPaths([cut]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VerifyInputError);
    expect(err).toMatchObject({ code: 'CORRUPT_GZIP', file: cut });
  });
});
