import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';
import type { TlsMaterial } from '../../tools/stack/tls-material.ts';

export interface RegistryGateway {
  /** The registry's ccompat URL through the gateway (https). */
  url: string;
  /** Requests refused for lacking the right credentials. */
  refused: number;
}

/**
 * The real schema registry behind HTTPS and HTTP basic auth, as production registries are fronted
 * (an ingress or a managed registry's edge): every request with the right `Authorization` is
 * forwarded untouched to the registry the stack runs; any other gets 401. Closed when the test ends.
 */
export async function authenticatedRegistryForTest(options: {
  upstream: string;
  tls: TlsMaterial;
  username: string;
  password: string;
}): Promise<RegistryGateway> {
  const upstream = new URL(options.upstream);
  const expected = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
  const gateway = { url: '', refused: 0 };
  const forward = (request: IncomingMessage, response: ServerResponse) => {
    if (request.headers.authorization !== expected) {
      gateway.refused++;
      response.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic' });
      response.end('{"error_code":401,"message":"Unauthorized"}');
      return;
    }
    const { authorization: _, host: __, ...headers } = request.headers;
    const proxied = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    proxied.on('error', () => response.destroy());
    request.pipe(proxied);
  };
  const server = createServer(
    { cert: readFileSync(options.tls.certFile), key: readFileSync(options.tls.keyFile) },
    forward,
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  const { port } = server.address() as AddressInfo;
  gateway.url = `https://127.0.0.1:${port}${upstream.pathname}`;
  return gateway;
}
