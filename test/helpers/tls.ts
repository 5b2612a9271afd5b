import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import {
  makeTlsMaterial,
  type TlsMaterial,
  type TlsMaterialOptions,
} from '../../tools/stack/tls-material.ts';

/** A fresh self-signed CA and a server certificate it signs (localhost, 127.0.0.1), deleted when the test ends. */
export async function tlsMaterialForTest(options: TlsMaterialOptions = {}): Promise<TlsMaterial> {
  const dir = await mkdtemp(join(tmpdir(), 'ifs-tls-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return makeTlsMaterial(dir, options);
}
