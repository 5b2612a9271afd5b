import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { dedicatedBrokerForTest } from '../../helpers/dedicated-broker.ts';

const DEMO = fileURLToPath(new URL('../../../tools/demo/demo.ts', import.meta.url));

describe('the demo (npm run demo)', () => {
  it('pushes the April 2026 invoice, skips the unchanged re-ingest, replays it into finance’s stored answer, re-imports a corrected version as updated, and exits 0', async () => {
    // A broker that has never seen a consumer group, as on a fresh clone: its group coordinator
    // is still loading when the consumers join.
    const broker = await dedicatedBrokerForTest();
    const child = spawn(process.execPath, [DEMO], {
      env: {
        ...process.env,
        KAFKA_BROKERS: broker.brokers,
        SCHEMA_REGISTRY_URL: inject('schemaRegistryUrl'),
        DATABASE_URL: inject('databaseUrl'),
        // Its own topics, so it cannot meet another test's events.
        TOPIC_LINES_INGESTED: 'demo-test.invoice.lines_ingested',
        TOPIC_PUSHED_TO_FINANCE: 'demo-test.invoice.pushed_to_finance',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const [code] = await once(child, 'exit');
    expect(code, output).toBe(0);
    expect(output).toContain('33 lines, $86.92');
    expect(output).toContain(
      'finance row: gross $86.92 · tax $7.90 · net $79.02 · source digitalocean · tenant platform-admin · vendor DigitalOcean (cloud)',
    );
    expect(output).toMatch(
      /cloud_invoices: digitalocean\/INV-2026-04-DO-4512389 period 2026-04-01 amount_cents 8692/,
    );
    expect(output).toMatch(/2\. ingested it again, unchanged: skipped, finance calls still 1/);
    expect(output).toMatch(
      /3\. replayed it .*stored answer for the same Idempotency-Key 1 time\(s\), imports still 1, finance rows for the invoice: 1/,
    );
    expect(output).toMatch(
      /4\. ingested a corrected version \(issued a day later\): finance action updated, id [0-9a-f-]{36}, finance rows for the invoice: 1, gross \$86\.92/,
    );
    expect(output.trim().split('\n').at(-1)).toMatch(/^✔ demo passed in [\d.]+ s$/);
    // Nothing is wrong, so nothing is at warn or above: what kafkajs says while the consumers join
    // a broker whose coordinator is still loading is start-up chatter, logged at debug.
    expect(output.split('\n').filter((line) => /"level":"(warn|error|fatal)"/.test(line))).toEqual([]);
  });
});
