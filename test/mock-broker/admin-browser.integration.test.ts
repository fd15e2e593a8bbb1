import { describe, expect, it } from 'vitest';
import { chromiumPerFile } from '../support/chromium-page.ts';
import { connect, mockBrokersPerTest, waitFor } from '../support/mock-broker-client.ts';

const rig = chromiumPerFile();
const start = mockBrokersPerTest();

/** What a hostile page would do: fire-and-forget requests, which need no CORS answer to take effect. */
function attackPage(adminUrl: string): string {
  return `<!doctype html><title>loading</title><script>
const admin = ${JSON.stringify(adminUrl)};
const post = (path, body) => fetch(admin + path, { method: 'POST', mode: 'no-cors', body }).catch(() => undefined);
Promise.all([
  post('/__admin/faults', '{"type":"drop-all"}'),
  post('/__admin/faults', '{"type":"reject-next","count":1000}'),
  post('/__admin/reset', ''),
]).then(() => { document.title = 'done'; });
</script>`;
}

describe('mock broker admin API against a web page', () => {
  it('a page in Chromium cannot drop-all, queue 1000 refusals or reset the record', async () => {
    const lines: string[] = [];
    const b = await start({ logLevel: 'warn', logDestination: { write: (line: string) => void lines.push(line) } });
    const client = await connect(b.url);
    const page = await rig.temp.file('attack.html', attackPage(b.adminUrl));

    const opened = await rig.chromium.open(page);
    await opened.page.waitForFunction(() => document.title === 'done');

    // The requests reached the broker and were refused; nothing they asked for happened.
    await waitFor(() => lines.filter((l) => l.includes('"admin.refused"')).length === 3, 'three refused admin requests');
    expect(lines.filter((l) => l.includes('"admin.refused"')).every((l) => l.includes('"status":403'))).toBe(true);
    expect(client.closed).toBe(false);
    expect(b.events().map((e) => e.type)).toEqual(['accepted']);
    expect((await connect(b.url)).closed).toBe(false);
    await opened.page.close();
  });
});
