import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface Readiness {
  ready: boolean;
  [detail: string]: unknown;
}

export interface OpsServerOptions {
  host: string;
  port: number;
  registry: Registry;
  readiness(): Promise<Readiness>;
  /** The operations console: answers its own paths (returns true), leaves the rest (false). */
  console?: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined;
}

export interface OpsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * /healthz (the process answers), /readyz (it can do its job, and why not), /metrics (Prometheus),
 * and the operations console at / when it is on.
 */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
    };
    if (path === '/healthz') return reply(200, JSON.stringify({ status: 'ok' }));
    if (path === '/readyz') {
      options.readiness().then(
        (readiness) => reply(readiness.ready ? 200 : 503, JSON.stringify(readiness)),
        (error: Error) => reply(503, JSON.stringify({ ready: false, error: error.message })),
      );
      return;
    }
    if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => reply(200, text, options.registry.contentType),
        (error: Error) => reply(500, error.message, 'text/plain'),
      );
      return;
    }
    if (options.console?.(req, res)) return;
    const endpoints = ['/healthz', '/readyz', '/metrics', ...(options.console ? ['/'] : [])];
    reply(404, JSON.stringify({ error: 'not found', endpoints }));
  });
  server.listen(options.port, options.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  return {
    url: `http://${host}:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
