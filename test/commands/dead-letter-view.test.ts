import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { deadLetterView, listLine, redriveHeaders } from '../../src/commands/dead-letter-view.ts';
import { DLQ_HEADER } from '../../src/core/dead-letter-headers.ts';

function deadLetter(headers: KafkaMessage['headers']) {
  const message = {
    key: Buffer.from('platform-admin:digitalocean:INV-1'),
    value: Buffer.from([0, 0, 0, 0, 7, 1]),
    timestamp: '1777600000000',
    attributes: 0,
    offset: '4',
    headers,
  } as KafkaMessage;
  return deadLetterView({ topic: 'invoice.lines_ingested.dlq', partition: 2, offset: '4', message });
}

const reasonHeaders = {
  traceparent: Buffer.from('00-abc-def-01'),
  [DLQ_HEADER.topic]: Buffer.from('invoice.lines_ingested'),
  [DLQ_HEADER.partition]: Buffer.from('1'),
  [DLQ_HEADER.offset]: Buffer.from('17'),
  [DLQ_HEADER.exceptionMessage]: Buffer.from(`lines sum to 8692 but total_minor is 8700 ${'x'.repeat(200)}`),
  [DLQ_HEADER.timestamp]: Buffer.from('1777650000000'),
  [DLQ_HEADER.errorCode]: Buffer.from('INVOICE_TOTAL_MISMATCH'),
};

describe('dead-letter view', () => {
  it('reads source coordinates, code, reason and failure time from the Kafka Connect headers', () => {
    expect(deadLetter(reasonHeaders)).toMatchObject({
      source: { topic: 'invoice.lines_ingested', partition: 1, offset: '17' },
      errorCode: 'INVOICE_TOTAL_MISMATCH',
      failedAt: 1777650000000,
      key: 'platform-admin:digitalocean:INV-1',
    });
  });

  it('lists one short line: position, time, source, key, code, reason cut at 100 characters', () => {
    const line = listLine(deadLetter(reasonHeaders));
    expect(line).toMatch(
      /^2:4 {2}2026-05-01T15:40:00.000Z {2}from invoice.lines_ingested 1:17 {2}platform-admin:digitalocean:INV-1 {2}INVOICE_TOTAL_MISMATCH {2}lines sum to 8692/,
    );
    expect(line.endsWith('x…')).toBe(true);
  });

  it('copes with a record that has no dead-letter headers at all', () => {
    expect(deadLetter({})).toMatchObject({
      source: undefined,
      errorCode: 'UNKNOWN',
      failedAt: 1777600000000,
    });
  });

  it('sends back the original headers without the reason, marked with where it came from', () => {
    const again = {
      ...reasonHeaders,
      [DLQ_HEADER.redrivenFrom]: Buffer.from('invoice.lines_ingested.dlq/0/1'),
    };
    expect(redriveHeaders(deadLetter(again))).toEqual({
      traceparent: reasonHeaders.traceparent,
      [DLQ_HEADER.redrivenFrom]: 'invoice.lines_ingested.dlq/2/4',
    });
  });
});
