import { connect as connectTcp, isIP } from 'node:net';
import { connect as connectTls } from 'node:tls';

/**
 * What a Kafka port speaks, asked only after a connection failed without a clear reason: a broker
 * closes the connection, saying nothing, both when a plaintext client talks to its TLS listener
 * and when a TLS client talks to its PLAINTEXT listener. Knowing which lets the error name the fix.
 */
export type ListenerProtocol = 'tls' | 'plaintext' | 'unknown';

const SNIFF_TIMEOUT_MS = 2_000; // a live broker answers in milliseconds; this only bounds a dead one

/** True when the port completes a TLS handshake (certificate not checked: we only ask whether it is TLS). */
function completesTlsHandshake(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTls({
      host,
      port,
      rejectUnauthorized: false,
      ...(isIP(host) ? {} : { servername: host }),
    });
    const done = (speaksTls: boolean) => {
      socket.destroy();
      resolve(speaksTls);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('secureConnect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}

const API_VERSIONS_KEY = 18;
const CORRELATION_ID = 0x1f5;
const CLIENT_ID = 'invoice-finance-sync-sniff';

/** An ApiVersions v0 request, the first thing every Kafka client sends. */
function apiVersionsRequest(): Buffer {
  const clientId = Buffer.from(CLIENT_ID);
  const body = Buffer.alloc(10 + clientId.length);
  body.writeInt16BE(API_VERSIONS_KEY, 0);
  body.writeInt16BE(0, 2); // version 0: understood by every broker version
  body.writeInt32BE(CORRELATION_ID, 4);
  body.writeInt16BE(clientId.length, 8);
  clientId.copy(body, 10);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

/** True when the port answers a plaintext ApiVersions request with our correlation id. */
function answersPlainKafka(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host, port });
    let received = Buffer.alloc(0);
    const done = (plain: boolean) => {
      socket.destroy();
      resolve(plain);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => socket.write(apiVersionsRequest()));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 8) done(received.readInt32BE(4) === CORRELATION_ID);
    });
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}

export async function listenerProtocol(
  host: string,
  port: number,
  timeoutMs = SNIFF_TIMEOUT_MS,
): Promise<ListenerProtocol> {
  if (await completesTlsHandshake(host, port, timeoutMs)) return 'tls';
  if (await answersPlainKafka(host, port, timeoutMs)) return 'plaintext';
  return 'unknown';
}
