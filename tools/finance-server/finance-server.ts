import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { type FinanceServerControl, handleAdmin } from './admin-routes.ts';
import { FaultInjector } from './faults.ts';
import { errorDetail, sendJson } from './http-io.ts';
import { IdempotencyStore } from './idempotency-store.ts';
import { handleImport } from './import-route.ts';
import { ImportStats } from './import-stats.ts';
import { InvoiceStore } from './invoice-store.ts';
import { createTokenVerifier } from './token-verifier.ts';

/**
 * The reference finance server: the one stand-in the project allows (DESIGN.md, "Finance
 * contract"). A real node:http server with in-memory books, switchable faults and observability for
 * tests; steerable in-process through the returned object or over HTTP under `/_admin/`.
 */
export interface FinanceServerOptions {
  secret: string | Uint8Array;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  issuer?: string;
  audience?: string;
  /** Allowed JWT algorithms, HS256/HS384/HS512. */
  algorithms?: string[];
  /** Role that passes finance's write-role check. */
  writeRole?: string;
  /** How many `Idempotency-Key`s are remembered, least recently used forgotten first. */
  idempotencyKeys?: number;
  /** Serve HTTPS with this PEM certificate and key (e.g. signed by a private CA) instead of HTTP. */
  tls?: { cert: string; key: string };
}

export interface FinanceServer extends FinanceServerControl {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:54321`. */
  readonly url: string;
  /** Stops listening, abandons requests still waiting out latency, and closes every connection. */
  close(): Promise<void>;
}

export const IMPORT_INVOICE_PATH = '/api/v1/integrations/cloud/import-invoice';

const DEFAULTS = {
  port: 0,
  host: '127.0.0.1',
  issuer: 'skyai_finance',
  audience: 'skyai_finance',
  algorithms: ['HS512'], // the algorithm of the Elixir side
  writeRole: 'admin',
} as const;

export async function startFinanceServer(options: FinanceServerOptions): Promise<FinanceServer> {
  const verifyToken = await createTokenVerifier({
    secret: options.secret,
    issuer: options.issuer ?? DEFAULTS.issuer,
    audience: options.audience ?? DEFAULTS.audience,
    algorithms: options.algorithms ?? DEFAULTS.algorithms,
    writeRole: options.writeRole ?? DEFAULTS.writeRole,
  });
  const store = new InvoiceStore();
  const faults = new FaultInjector();
  const stats = new ImportStats();
  const idempotency = new IdempotencyStore(options.idempotencyKeys);
  const closing = new AbortController();

  const control: FinanceServerControl = {
    invoices: () => store.invoices(),
    vendors: () => store.vendors(),
    imports: () => stats.imports(),
    stats: () => stats.stats(),
    faults: () => faults.current(Date.now()),
    setFaults: (patch) => faults.apply(patch, Date.now()),
    resetFaults: () => {
      faults.reset();
      return faults.current(Date.now());
    },
    resetStats: () => {
      stats.resetStats();
      return stats.stats();
    },
    reset: () => {
      store.clear();
      idempotency.clear();
      stats.resetAll();
      faults.reset();
    },
  };
  const importDeps = { verifyToken, store, faults, stats, idempotency, closing: closing.signal };

  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = new URL(request.url ?? '/', 'http://finance.invalid').pathname;
    if (path === IMPORT_INVOICE_PATH) {
      if (request.method === 'POST') return handleImport(importDeps, request, response);
      return sendJson(response, 405, errorDetail('method not allowed'), { allow: 'POST' });
    }
    if (path.startsWith('/_admin/')) return handleAdmin(control, request, response, path);
    if (path === '/healthz' && request.method === 'GET') return sendJson(response, 200, { status: 'ok' });
    sendJson(response, 404, errorDetail('not found'));
  };
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    route(request, response).catch((error: unknown) => {
      sendJson(response, 500, errorDetail(`finance server error: ${String(error)}`));
    });
  };
  const server: Server = options.tls ? createHttpsServer(options.tls, handle) : createServer(handle);

  server.listen(options.port ?? DEFAULTS.port, options.host ?? DEFAULTS.host);
  await once(server, 'listening');
  const { address, port } = server.address() as AddressInfo;
  const hostForUrl = address.includes(':') ? `[${address}]` : address;

  let closed: Promise<void> | undefined;
  return {
    ...control,
    url: `${options.tls ? 'https' : 'http'}://${hostForUrl}:${port}`,
    close: () => {
      closed ??= closeServer(server, closing);
      return closed;
    },
  };
}

function closeServer(server: Server, closing: AbortController): Promise<void> {
  closing.abort();
  const closed = new Promise<void>((resolve, reject) =>
    server.close((error) => (error ? reject(error) : resolve())),
  );
  // server.close() alone waits for idle keep-alive sockets to time out; tests must end now.
  server.closeAllConnections();
  return closed;
}
