import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { onTestFinished } from 'vitest';

interface Pair {
  client: Socket;
  upstream: Socket | undefined;
}

/**
 * A TCP proxy in front of a real server, to take that server "down" and bring it back without
 * touching it: `cut()` drops every connection and refuses new ones; `stall()` freezes it, alive but
 * silent: every connection, open or new, stays open and nothing passes either way; `restore()`
 * forwards again on the same port (what a frozen connection held back is delivered then).
 */
export async function tcpProxyForTest(target: { host: string; port: number }) {
  const pairs = new Set<Pair>();
  let server: Server | undefined;
  let port = 0;
  let stalled = false;
  const track = (pair: Pair, socket: Socket) => {
    socket.on('close', () => {
      pair.client.destroy();
      pair.upstream?.destroy();
      pairs.delete(pair);
    });
    socket.on('error', () => socket.destroy());
  };
  const forward = (pair: Pair) => {
    if (!pair.upstream) {
      pair.upstream = connect(target.port, target.host);
      track(pair, pair.upstream);
    }
    pair.client.pipe(pair.upstream).pipe(pair.client);
  };
  const freeze = (pair: Pair) => {
    pair.client.unpipe();
    pair.upstream?.unpipe();
    pair.client.pause();
    pair.upstream?.pause();
  };
  const listen = async () => {
    server = createServer((client) => {
      const pair: Pair = { client, upstream: undefined };
      pairs.add(pair);
      track(pair, client);
      if (stalled) client.pause();
      else forward(pair);
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  };
  const cut = async () => {
    const closing = server ? new Promise((resolve) => server?.close(resolve)) : Promise.resolve();
    for (const pair of pairs) {
      pair.client.destroy();
      pair.upstream?.destroy();
    }
    await closing;
    server = undefined;
  };
  const stall = () => {
    stalled = true;
    for (const pair of pairs) freeze(pair);
  };
  const restore = async () => {
    if (stalled) {
      stalled = false;
      for (const pair of pairs) forward(pair);
    }
    if (!server) await listen();
  };
  await listen();
  onTestFinished(cut);
  return { port: () => port, cut, stall, restore };
}
