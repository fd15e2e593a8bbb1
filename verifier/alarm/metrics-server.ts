import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** What `/health` reports: the followed file and how long ago its last line arrived. */
export interface HealthState {
  file: string;
  lastLineAgeSeconds: () => number | undefined;
}

/**
 * Serves `/metrics` (Prometheus text) and `/health` (JSON, 200 while following) on `host:port`;
 * resolves once listening, with the bound address (port 0 picks a free one).
 */
export async function serveMetrics(registry: Registry, health: HealthState, host: string, port: number): Promise<{ server: Server; address: AddressInfo }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${err.message}\n`),
      );
      return;
    }
    if (path === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(`${JSON.stringify({ status: 'ok', following: health.file, lastLineAgeSeconds: health.lastLineAgeSeconds() ?? null })}\n`);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics or /health\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { server, address: server.address() as AddressInfo };
}
