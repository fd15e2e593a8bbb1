import { describe, expect, it } from 'vitest';
import { steps } from '../support/ci-workflow.ts';

describe('examples/github-actions.yml', () => {
  it('checks out, sets up Node and installs the package from a git URL or tarball, never a bare npx', async () => {
    const all = await steps();
    expect(all.map((s) => s.uses?.split('@')[0])).toEqual(expect.arrayContaining(['actions/checkout', 'actions/setup-node', 'actions/upload-artifact']));
    const runs = all.map((s) => s.run ?? '').join('\n');
    expect(runs).toMatch(/npm install .*"\$STORMCHECK_PACKAGE"/);
    expect(runs).not.toMatch(/\bnpx\b/);
  });

  it('uploads the reports unless the run was cancelled, so a failing verify still leaves them', async () => {
    const upload = (await steps()).find((s) => s.uses?.startsWith('actions/upload-artifact'));
    expect(upload?.if).toBe('${{ !cancelled() }}');
    expect(upload?.with?.path?.split('\n').filter(Boolean)).toEqual(['stormcheck.xml', 'stormcheck.json']);
  });
});
