import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { describe, expect, inject, it } from 'vitest';
import type { InvoiceLinesIngested } from '../../../src/invoice/invoice-events.ts';
import { AvroCodec } from '../../../src/platform/registry/avro-codec.ts';
import { loadContracts, registerContracts } from '../../../src/platform/registry/contracts.ts';
import { rejectionOf } from '../../helpers/caught-error.ts';
import { smallInvoice } from '../../helpers/service.ts';
import { uniqueSuffix } from '../../helpers/test-config.ts';

describe('Avro codec through the real schema registry', () => {
  const url = inject('schemaRegistryUrl');
  const codec = new AvroCodec(url);
  const contracts = loadContracts();
  const s = uniqueSuffix();
  const topics = { linesIngested: `codec-${s}.lines`, pushedToFinance: `codec-${s}.pushed` };

  it('registers a new subject from several instances at once: all get the same id', async () => {
    const topic = `codec-race-${uniqueSuffix()}`;
    const instances = Array.from({ length: 4 }, () => new AvroCodec(url));
    const ids = await Promise.all(instances.map((c) => c.register(topic, contracts.linesIngested)));
    expect(new Set(ids).size).toBe(1);
  });

  it('round-trips an event in the Confluent wire format under the TopicNameStrategy subject', async () => {
    const ids = await registerContracts(codec, contracts, topics);
    const event = smallInvoice('INV-CODEC');
    const bytes = await codec.encode(ids.linesIngested, contracts.linesIngested, event);
    expect(bytes[0]).toBe(0);
    expect(bytes.readUInt32BE(1)).toBe(ids.linesIngested);
    expect(await codec.decode(bytes, contracts.linesIngested)).toEqual(event);
    expect(await codec.latestId(topics.linesIngested)).toBe(ids.linesIngested);
  });

  it('reads an event written with a newer, BACKWARD-compatible schema into the shape this service knows', async () => {
    await registerContracts(codec, contracts, topics);
    const newer = JSON.parse(contracts.linesIngested.schemaText);
    newer.fields.push({ name: 'source_system', type: 'string', default: 'billing-v2' });
    const registry = new SchemaRegistry({ host: url });
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(newer) },
      { subject: `${topics.linesIngested}-value` },
    );
    const event = smallInvoice('INV-NEWER');
    const bytes = await registry.encode(id, { ...event, source_system: 'erp' });
    const decoded = await codec.decode<InvoiceLinesIngested>(bytes, contracts.linesIngested);
    expect(decoded).toEqual(event);
  });

  it('refuses to encode a value that does not match the schema', async () => {
    const ids = await registerContracts(codec, contracts, topics);
    const broken = { ...smallInvoice('INV-BROKEN'), total_minor: 'a lot' } as unknown as InvoiceLinesIngested;
    const error = await rejectionOf(codec.encode(ids.linesIngested, contracts.linesIngested, broken));
    expect(error.code).toBe('EVENT_INVALID');
  });

  it('reports a registry that does not answer as systemic, not as a bad event', async () => {
    const offline = new AvroCodec('http://127.0.0.1:9/apis/ccompat/v7');
    const bytes = Buffer.from([0, 0, 0, 0, 1, 2]);
    const error = await rejectionOf(offline.decode(bytes, contracts.linesIngested));
    expect([error.code, error.failureClass]).toEqual(['REGISTRY_UNAVAILABLE', 'systemic']);
  });
});
