// Readiness probes that need no client library: a TCP connect, a hand-made
// Kafka Metadata request, and an HTTP GET.
import { connect } from 'node:net';

/** True when something accepts a TCP connection on host:port. */
export function tcpOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export type KafkaMetadata = { brokers: number; clusterId: string | null; controllerId: number };

/**
 * Sends a Kafka Metadata request (v4, for no topics) and parses the broker list.
 * A KRaft broker answers only once it has caught up with the metadata log and
 * opened request processing, so an answer with >= 1 broker means "usable".
 * v4 is the oldest version Kafka 4.x still serves (KIP-896 removed v0-v3) and is
 * not "flexible" (no tagged fields), which keeps the encoding trivial.
 * Resolves to null on any failure or timeout.
 */
export function kafkaMetadata(host: string, port: number, timeoutMs = 2000): Promise<KafkaMetadata | null> {
  const clientId = Buffer.from('stack-probe');
  // Request header v1: api_key=3 (Metadata), api_version=4, correlation_id, client_id.
  // Body v4: topics = empty array (no topics), allow_auto_topic_creation = false.
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length + 4 + 1);
  let o = body.writeInt16BE(3, 0);
  o = body.writeInt16BE(4, o);
  o = body.writeInt32BE(1, o);
  o = body.writeInt16BE(clientId.length, o);
  o += clientId.copy(body, o);
  o = body.writeInt32BE(0, o);
  body.writeInt8(0, o);
  const frame = Buffer.concat([Buffer.alloc(4), body]);
  frame.writeInt32BE(body.length, 0);

  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let buf = Buffer.alloc(0);
    const done = (result: KafkaMetadata | null) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(null));
    socket.once('error', () => done(null));
    socket.once('connect', () => socket.write(frame));
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 4 || buf.length < 4 + buf.readInt32BE(0)) return;
      try {
        done(parseMetadataV4(buf.subarray(4, 4 + buf.readInt32BE(0))));
      } catch {
        done(null);
      }
    });
  });
}

function parseMetadataV4(r: Buffer): KafkaMetadata {
  let o = 4 + 4; // response header (correlation_id), throttle_time_ms
  const readString = (): string | null => {
    const len = r.readInt16BE(o);
    o += 2;
    if (len < 0) return null;
    o += len;
    return r.toString('utf8', o - len, o);
  };
  const brokers = r.readInt32BE(o);
  o += 4;
  for (let i = 0; i < brokers; i++) {
    o += 4; // node_id
    readString(); // host
    o += 4; // port
    readString(); // rack
  }
  const clusterId = readString();
  return { brokers, clusterId, controllerId: r.readInt32BE(o) };
}

/** True when GET url answers 200 within timeoutMs. */
export async function httpOk(url: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer(); // drain, so the connection is released
    return res.status === 200;
  } catch {
    return false;
  }
}
