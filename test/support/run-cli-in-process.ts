import { vi } from 'vitest';
import { main } from '../../bin/cli.ts';

/**
 * The CLI's main() inside the test process, with stderr captured: fast, for paths that stop at option
 * validation or another usage error before any handler sets process.exitCode.
 */
export async function stormcheckInProcess(args: string[]): Promise<{ code: number; stderr: string }> {
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const code = await main(args);
    return { code, stderr: stderr.mock.calls.map((call) => String(call[0])).join('') };
  } finally {
    stderr.mockRestore();
  }
}
