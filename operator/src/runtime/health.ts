// The operator's HTTP endpoints: /metrics for Prometheus, /healthz for liveness, /readyz for readiness.
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './metrics.js';

/** Why the process is not ready, or an empty list when it is. */
export type ReadinessCheck = () => string[];

export interface HealthServer {
  /** The bound port (useful with port 0). */
  port: number;
  close(): Promise<void>;
}

/** `:8080` → all interfaces, port 8080; `127.0.0.1:0` → loopback, any free port. */
export function parseListenAddress(address: string): { host?: string; port: number } {
  const at = address.lastIndexOf(':');
  const host = at > 0 ? address.slice(0, at).replace(/^\[|\]$/g, '') : undefined;
  const port = Number(address.slice(at + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--metrics-addr: '${address}' is not host:port or :port`);
  }
  return host ? { host, port } : { port };
}

export async function startHealthServer(address: string, metrics: Metrics, ready: ReadinessCheck): Promise<HealthServer> {
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const reply = (status: number, body: string, contentType = 'text/plain; charset=utf-8'): void => {
      response.writeHead(status, { 'Content-Type': contentType }).end(body);
    };
    if (path === '/healthz' || path === '/livez') return reply(200, 'ok\n');
    if (path === '/readyz') {
      const problems = ready();
      return problems.length === 0 ? reply(200, 'ok\n') : reply(503, `${problems.join('\n')}\n`);
    }
    if (path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => reply(200, text, metrics.registry.contentType),
        (error: unknown) => reply(500, `${String(error)}\n`),
      );
      return;
    }
    reply(404, 'not found\n');
  });
  const { host, port } = parseListenAddress(address);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
