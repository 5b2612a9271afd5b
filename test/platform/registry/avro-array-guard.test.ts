import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import '../../../src/platform/registry/avro-array-guard.ts';
import { loadContracts } from '../../../src/platform/registry/contracts.ts';
import { invoiceWithLines } from '../../fixtures/big-invoice.ts';
import { withLyingLinesCount, zigZag } from '../../fixtures/lying-avro.ts';

const { linesIngested } = loadContracts();

/** An invoice body whose `lines` block claims `count` items and carries none (the last byte is the empty block). */
function lyingLinesBlock(count: bigint): Buffer {
  return withLyingLinesCount(linesIngested.type.toBuffer(invoiceWithLines(0)), count);
}

describe('Avro arrays are read no further than their bytes', () => {
  it.each([100_000_000n, 4_000_000_000n, -100_000_000n])(
    'refuses a lines block claiming %s items in a few bytes at once, as truncated',
    (count) => {
      const startedAt = performance.now();
      expect(() => linesIngested.type.fromBuffer(lyingLinesBlock(count))).toThrow(/truncated buffer/);
      // Unguarded, 100 million phantom items take minutes and the heap; a bound on time says it stopped.
      expect(performance.now() - startedAt).toBeLessThan(1_000);
    },
  );

  it('still reads a 10,000-line invoice exactly, and lines a writer split into blocks', () => {
    const event = invoiceWithLines(10_000);
    expect(linesIngested.type.fromBuffer(linesIngested.type.toBuffer(event))).toEqual(event);
    // Writers may split an array into blocks, with their byte size (a negative count) or without.
    const small = invoiceWithLines(3);
    const lineType = (linesIngested.type as avro.types.RecordType).field('lines')
      .type as avro.types.ArrayType;
    const [a, b, c] = small.lines.map((line) => lineType.itemsType.toBuffer(line));
    const head = linesIngested.type.toBuffer(invoiceWithLines(0));
    const body = Buffer.concat([
      head.subarray(0, head.length - 1),
      zigZag(2n),
      a as Buffer,
      b as Buffer,
      zigZag(-1n),
      zigZag(BigInt((c as Buffer).length)),
      c as Buffer,
      zigZag(0n),
    ]);
    expect((linesIngested.type.fromBuffer(body) as typeof small).lines).toEqual(small.lines);
  });

  it('reads through a resolver (another writer schema) with the same bound', () => {
    const writer = avro.Type.forSchema(linesIngested.type.schema() as avro.Schema);
    const resolver = linesIngested.type.createResolver(writer);
    expect(() => linesIngested.type.fromBuffer(lyingLinesBlock(100_000_000n), resolver)).toThrow(
      /truncated buffer/,
    );
    const event = invoiceWithLines(3);
    expect(linesIngested.type.fromBuffer(writer.toBuffer(event), resolver)).toEqual(event);
  });
});
