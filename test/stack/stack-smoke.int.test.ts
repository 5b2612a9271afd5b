import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createTopics, produce, testKafka, topicReader } from '../helpers/kafka.ts';
import { uniqueSuffix } from '../helpers/test-config.ts';

// These would fail against anything but a real Kafka and a real Confluent-API registry.
describe('the real stack', () => {
  const kafka = testKafka();
  const registry = new SchemaRegistry({ host: inject('schemaRegistryUrl') });
  const topic = `smoke-${uniqueSuffix()}`;
  const subject = `${topic}-value`;
  const v1 = {
    type: 'record',
    name: 'Smoke',
    namespace: 'arcadia.test',
    fields: [
      { name: 'id', type: 'string' },
      { name: 'amount_minor', type: 'long' },
    ],
  };
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it('registers an Avro schema, carries an encoded record through Kafka and decodes it', async () => {
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(v1) },
      { subject, compatibility: COMPATIBILITY.BACKWARD },
    );
    expect(id).toBeGreaterThan(0);
    await createTopics(kafka, [{ topic, numPartitions: 1 }]);
    const value = await registry.encode(id, { id: 'INV-1', amount_minor: 8692 });
    expect(value[0]).toBe(0); // Confluent magic byte
    expect(value.readUInt32BE(1)).toBe(id);
    await produce(kafka, topic, [{ key: 'k1', value }]);

    const reader = await topicReader(kafka, topic);
    cleanups.push(reader.close);
    const [message] = await reader.waitFor(1);
    expect(message?.key).toBe('k1');
    expect(await registry.decode(message?.value as Buffer)).toEqual({ id: 'INV-1', amount_minor: 8692 });
  });

  it('rejects a BACKWARD-incompatible new version of the subject', async () => {
    const incompatible = { ...v1, fields: [...v1.fields, { name: 'currency', type: 'string' }] };
    await expect(
      registry.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(incompatible) },
        { subject, compatibility: COMPATIBILITY.BACKWARD },
      ),
    ).rejects.toMatchObject({ status: 409 });

    const compatible = {
      ...v1,
      fields: [...v1.fields, { name: 'currency', type: 'string', default: 'USD' }],
    };
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(compatible) },
      { subject, compatibility: COMPATIBILITY.BACKWARD },
    );
    expect(id).toBeGreaterThan(0);
  });
});
