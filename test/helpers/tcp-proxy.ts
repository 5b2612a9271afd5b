import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { onTestFinished } from 'vitest';

/**
 * A TCP proxy in front of a real server, to take that server "down" and bring it back without
 * touching it: `cut()` drops every connection and refuses new ones; `stall()` drops every
 * connection and accepts new ones that never answer (a server alive but silent); `restore()`
 * forwards again on the same port.
 */
export async function tcpProxyForTest(target: { host: string; port: number }) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  let stalled = false;
  const listen = async () => {
    server = createServer((client) => {
      if (stalled) {
        sockets.add(client);
        client.on('close', () => sockets.delete(client));
        client.on('error', () => client.destroy());
        return;
      }
      const upstream = connect(target.port, target.host);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  };
  const dropAll = () => {
    for (const socket of sockets) socket.destroy();
  };
  const cut = async () => {
    const closing = server ? new Promise((resolve) => server?.close(resolve)) : Promise.resolve();
    dropAll();
    await closing;
    server = undefined;
  };
  const stall = () => {
    stalled = true;
    dropAll();
  };
  const restore = async () => {
    stalled = false;
    dropAll();
    if (!server) await listen();
  };
  await listen();
  onTestFinished(cut);
  return { port: () => port, cut, stall, restore };
}
