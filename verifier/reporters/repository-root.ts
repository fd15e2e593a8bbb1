import { access } from 'node:fs/promises';
import path from 'node:path';

/**
 * The root of the repository being checked, which SARIF locations are relative to: `GITHUB_WORKSPACE`
 * in GitHub Actions, `CI_PROJECT_DIR` in GitLab, else the nearest folder from `cwd` upward holding `.git`.
 */
export async function repositoryRoot(cwd: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const given = env.GITHUB_WORKSPACE || env.CI_PROJECT_DIR;
  if (given) return path.resolve(given);
  for (let at = path.resolve(cwd); ; at = path.dirname(at)) {
    if (await access(path.join(at, '.git')).then(() => true, () => false)) return at;
    if (path.dirname(at) === at) return undefined;
  }
}
