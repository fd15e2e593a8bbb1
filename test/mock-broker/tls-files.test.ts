import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadTlsFiles, selfSignedAngelCertificate } from '../../mock-broker/tls-credentials.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stormcheck-tls-files-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function files(cert: string, key: string): Promise<[string, string]> {
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  await writeFile(certPath, cert);
  await writeFile(keyPath, key);
  return [certPath, keyPath];
}

describe('TLS certificate and key files', () => {
  it('accepts a matching pair', async () => {
    const { cert, key } = await selfSignedAngelCertificate();
    const [certPath, keyPath] = await files(String(cert), String(key));
    await expect(loadTlsFiles(certPath, keyPath)).resolves.toEqual({ cert, key });
  });

  it('refuses an RSA certificate with an EC key in one line naming both files and both key types', async () => {
    const rsa = await generate([{ name: 'commonName', value: 'localhost' }], { keyType: 'rsa', keySize: 2048 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const [certPath, keyPath] = await files(rsa.cert, ec);

    const error = await loadTlsFiles(certPath, keyPath).catch((err: Error) => err.message);

    expect(error).toBe(`${keyPath} does not match the certificate in ${certPath}: the certificate holds an rsa public key, the key file an ec private key`);
  });

  it('refuses a key of the same type that belongs to another certificate', async () => {
    const one = await selfSignedAngelCertificate();
    const other = await selfSignedAngelCertificate();
    const [certPath, keyPath] = await files(String(one.cert), String(other.key));

    await expect(loadTlsFiles(certPath, keyPath)).rejects.toThrow(`${keyPath} does not match the certificate in ${certPath}: a different ec key`);
  });

  it('refuses a FIFO given as the key at once instead of waiting for a writer', async () => {
    const { cert } = await selfSignedAngelCertificate();
    const certPath = join(dir, 'cert.pem');
    const fifo = join(dir, 'key.fifo');
    await writeFile(certPath, String(cert));
    execFileSync('mkfifo', [fifo]);

    await expect(loadTlsFiles(certPath, fifo)).rejects.toThrow(`cannot read the TLS private key file ${fifo}: a FIFO, not a regular file`);
  });
});
