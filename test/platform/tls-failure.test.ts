import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer as createTcpServer } from 'node:net';
import { type ConnectionOptions, connect, createServer, type Server } from 'node:tls';
import { describe, expect, it, onTestFinished } from 'vitest';
import { tlsFailureOf, tlsHandshakeError } from '../../src/platform/tls-failure.ts';
import { tlsMaterialForTest } from '../helpers/tls.ts';

/** What a real TLS client reports connecting to `port` with these options. */
function handshakeError(port: number, options: ConnectionOptions = {}): Promise<Error> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ...options });
    socket.once('secureConnect', () => {
      // TLS 1.3: a server refusing our certificate says so just after the handshake.
      socket.once('error', resolve);
      socket.once('close', () => reject(new Error('the connection succeeded')));
    });
    socket.once('error', resolve);
  });
}

async function listening<T extends Server | ReturnType<typeof createTcpServer>>(server: T): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  onTestFinished(() => void server.close());
  return (server.address() as { port: number }).port;
}

async function tlsServer(requestCert = false) {
  const tls = await tlsMaterialForTest({ client: true });
  const server = createServer({
    cert: readFileSync(tls.certFile),
    key: readFileSync(tls.keyFile),
    ca: readFileSync(tls.caFile),
    requestCert,
    rejectUnauthorized: requestCert,
  });
  server.on('secureConnection', (socket) => socket.end());
  server.on('tlsClientError', () => undefined);
  return { tls, port: await listening(server) };
}

const target = {
  component: 'kafka' as const,
  server: 'Kafka brokers k:9094',
  caVariable: 'KAFKA_SSL_CA_FILE',
  notTlsHint: 'set KAFKA_SSL=true',
  clientCertificateHint: 'set KAFKA_SSL_CERT_FILE',
};

describe('TLS failures', () => {
  it('tells a certificate signed by an unknown CA, and names the CA variable', async () => {
    const { port } = await tlsServer();
    // The server sends its chain up to the CA, so an unknown CA shows as a self-signed link in it.
    const error = await handshakeError(port);
    expect(tlsFailureOf(error)).toMatchObject({ kind: 'untrusted', code: 'SELF_SIGNED_CERT_IN_CHAIN' });
    const refused = tlsHandshakeError(tlsFailureOf(error) as never, target, error);
    expect([refused.code, refused.failureClass, refused.message]).toEqual([
      'TLS_HANDSHAKE_FAILED',
      'systemic',
      'TLS handshake with Kafka brokers k:9094: its certificate was refused, it is not signed by a CA we trust (SELF_SIGNED_CERT_IN_CHAIN); set KAFKA_SSL_CA_FILE to the PEM certificate of the CA that signed it',
    ]);
    expect(refused.details).toEqual({
      component: 'kafka',
      tls_code: 'SELF_SIGNED_CERT_IN_CHAIN',
      tls_failure: 'untrusted',
    });
  });

  it('tells a certificate issued for another host', async () => {
    const { tls, port } = await tlsServer();
    const error = await handshakeError(port, { ca: readFileSync(tls.caFile), servername: 'finance.example' });
    expect(tlsFailureOf(error)).toMatchObject({ kind: 'wrong-host', code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });

  it('tells a server that refused our client certificate', async () => {
    const { tls, port } = await tlsServer(true);
    const error = await handshakeError(port, { ca: readFileSync(tls.caFile) });
    const failure = tlsFailureOf(error);
    expect(failure?.kind).toBe('client-certificate-refused');
    expect(tlsHandshakeError(failure as never, target, error).message).toMatch(
      /^TLS handshake with Kafka brokers k:9094 refused our client certificate \(ERR_SSL_\S+\); set KAFKA_SSL_CERT_FILE$/,
    );
  });

  it('tells a server that does not speak TLS', async () => {
    const plain = createTcpServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    const error = await handshakeError(await listening(plain));
    expect(tlsFailureOf(error)).toMatchObject({ kind: 'not-tls', code: 'ERR_SSL_WRONG_VERSION_NUMBER' });
  });

  it('finds the failure inside causes, and by OpenSSL’s words where a library kept only the message', () => {
    const wrapped = new Error('Connection error', {
      cause: Object.assign(new Error('self-signed certificate in certificate chain'), {
        code: 'SELF_SIGNED_CERT_IN_CHAIN',
      }),
    });
    expect(tlsFailureOf(wrapped)?.code).toBe('SELF_SIGNED_CERT_IN_CHAIN');
    const messageOnly = Object.assign(
      new Error('Error, status 400: unable to verify the first certificate'),
      {
        status: 400,
      },
    );
    expect(tlsFailureOf(messageOnly)).toMatchObject({
      kind: 'untrusted',
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
    expect(
      tlsFailureOf(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
    ).toBeUndefined();
  });
});
