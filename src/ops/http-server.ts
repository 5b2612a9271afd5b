import type { Duplex } from 'node:stream';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';
import type { Logger } from './logger.ts';

export interface Readiness {
  ready: boolean;
  [detail: string]: unknown;
}

export interface OpsServerOptions {
  host: string;
  port: number;
  registry: Registry;
  readiness(): Promise<Readiness>;
  /** Addresses (IPs or CIDRs) of reverse proxies whose X-Forwarded-For is believed; empty: none. */
  trustedProxies: readonly string[];
  /** Where a request that fails on the server's side is logged (never what the request carried). */
  log: Logger;
  /** The operations console, a Fastify plugin answering its own paths; absent: the console is off. */
  console?: FastifyPluginAsync | undefined;
}

export interface OpsServer {
  url: string;
  close(): Promise<void>;
}

const BODY_LIMIT_BYTES = 64 * 1024; // the largest form (many dead letters selected) fits many times over
const CONNECTION_TIMEOUT_MS = 30_000; // a client that sends nothing for this long is dropped
const REQUEST_TIMEOUT_MS = 60_000; // the whole request, headers and body, within a minute
const MAX_PARAM_LENGTH = 200; // characters of one path parameter; longer paths answer 404

/**
 * /healthz (the process answers), /readyz (it can do its job, and why not), /metrics (Prometheus),
 * and the operations console at / when it is on.
 *
 * Fastify parses and bounds every request (request line, URL, headers, body) and answers what it
 * cannot read with a 4xx; the handlers below make sure nothing a request carries can turn into a 5xx
 * or reach a response header. No request, however malformed, ends the process.
 */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT_BYTES,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    trustProxy: options.trustedProxies.length > 0 ? [...options.trustedProxies] : false,
    return503OnClosing: true,
    forceCloseConnections: true,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500)
      options.log.error({ err: error, path: request.routeOptions.url }, 'ops request failed');
    // A client's mistake is named by Fastify's fixed code; nothing of the request is echoed back.
    const body = status < 500 ? { error: error.code ?? 'bad request' } : { error: 'internal error' };
    return reply.code(status).header('cache-control', 'no-store').send(body);
  });
  probes(app, options);
  if (options.console) await app.register(options.console);
  const endpoints = ['/healthz', '/readyz', '/metrics', ...(options.console ? ['/'] : [])];
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).header('cache-control', 'no-store').send({ error: 'not found', endpoints }),
  );
  refuseTunnels(app);
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const host = options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  return { url: `http://${host}:${port}`, close: () => app.close() };
}

/**
 * CONNECT and Upgrade requests never reach Fastify's routes: Node hands the raw socket to a
 * `connect` / `upgrade` listener, and with none it drops the connection unanswered. Nothing here
 * tunnels or speaks WebSocket, so each is answered plainly and closed.
 */
function refuseTunnels(app: FastifyInstance): void {
  const refuse = (status: string) => (_request: unknown, socket: Duplex) => {
    socket.on('error', () => undefined); // a peer gone already is no concern of ours
    socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  };
  app.server.on('connect', refuse('405 Method Not Allowed'));
  app.server.on('upgrade', refuse('400 Bad Request'));
}

function probes(app: FastifyInstance, options: OpsServerOptions): void {
  app.get('/healthz', (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    let readiness: Readiness;
    try {
      readiness = await options.readiness();
    } catch (error) {
      readiness = { ready: false, error: (error as Error).message };
    }
    return reply
      .code(readiness.ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .send(readiness);
  });
  app.get('/metrics', async (_request, reply) =>
    reply
      .header('content-type', options.registry.contentType)
      .header('cache-control', 'no-store')
      .send(await options.registry.metrics()),
  );
}
