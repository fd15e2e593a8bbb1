import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

/** Configuration files are small; anything bigger is not one (a device, a log given by mistake). */
const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

/** A path that names something other than a small regular file. */
class NotAConfigFileError extends Error {
  readonly code = 'NOT_A_CONFIG_FILE';
}

/** Why a read failed, for a one-line message after the file's name: the errno code, or what the file is. */
export function readFailure(err: unknown): string {
  if (err instanceof NotAConfigFileError) return err.message;
  return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
}

/**
 * Reads a configuration file (certificate, key, accounts, fault plan) as UTF-8, refusing anything that
 * is not a regular file. Opened non-blocking, so a FIFO with no writer is refused at once instead of
 * hanging start-up in open(2) until someone writes to it.
 */
export async function readRegularFile(path: string): Promise<string> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      const what = info.isFIFO() ? 'a FIFO' : info.isDirectory() ? 'a directory' : 'a device or socket';
      throw new NotAConfigFileError(`${what}, not a regular file`);
    }
    if (info.size > MAX_CONFIG_BYTES) throw new NotAConfigFileError(`${info.size} bytes, more than a configuration file's ${MAX_CONFIG_BYTES}`);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}
