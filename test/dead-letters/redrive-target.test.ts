import type { IHeaders, KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { DLQ_HEADER } from '../../src/dead-letters/dead-letter-headers.ts';
import { deadLetterView } from '../../src/dead-letters/dead-letter-view.ts';
import { redriveSource, redriveTarget } from '../../src/dead-letters/redrive-target.ts';
import { UsageError } from '../../src/failures/usage-error.ts';

const TOPICS = {
  linesIngested: 'invoice.lines_ingested',
  pushedToFinance: 'invoice.pushed_to_finance',
  deadLetter: 'invoice.lines_ingested.dlq',
  recorderDeadLetter: 'invoice.pushed_to_finance.dlq',
};

function targetOf(headers: IHeaders, partitionCount = 3) {
  const message = {
    key: null,
    value: null,
    timestamp: '0',
    attributes: 0,
    offset: '0',
    headers,
  } as KafkaMessage;
  const view = deadLetterView({ topic: TOPICS.deadLetter, partition: 0, offset: '0', message });
  return redriveTarget(view, TOPICS.deadLetter, TOPICS.linesIngested, partitionCount);
}

const from = (partition: IHeaders[string]) => ({
  [DLQ_HEADER.topic]: TOPICS.linesIngested,
  [DLQ_HEADER.partition]: partition,
});

describe('where a dead letter may be redriven', () => {
  it('each configured dead-letter topic has its one source; any other topic is refused', () => {
    expect(redriveSource({ topics: TOPICS }, TOPICS.deadLetter)).toBe(TOPICS.linesIngested);
    expect(redriveSource({ topics: TOPICS }, TOPICS.recorderDeadLetter)).toBe(TOPICS.pushedToFinance);
    expect(() => redriveSource({ topics: TOPICS }, TOPICS.linesIngested)).toThrow(UsageError);
  });

  it('goes to the partition its header names, when that is a plain number below the partition count', () => {
    expect(targetOf(from('2'))).toEqual({ topic: TOPICS.linesIngested, partition: 2 });
    expect(targetOf(from(Buffer.from('0')))).toEqual({ topic: TOPICS.linesIngested, partition: 0 });
    for (const absurd of ['1e0', '0x1', ' 1', '', '-0', '١', '99999999999999999999', '2147483648']) {
      expect(targetOf(from(absurd)), absurd).toEqual({
        why: expect.stringMatching(/is not a partition number$/),
      });
    }
    expect(targetOf(from(['1', '2']))).toEqual({
      why: `${DLQ_HEADER.partition} "1, 2" is not a partition number`,
    });
    expect(targetOf(from('3'))).toEqual({
      why: `${DLQ_HEADER.partition} 3 is beyond invoice.lines_ingested's 3 partition(s) (0..2)`,
    });
    expect(targetOf({ [DLQ_HEADER.topic]: TOPICS.linesIngested })).toEqual({
      why: `no ${DLQ_HEADER.partition} header`,
    });
  });

  it('skips a dead letter whose value was too large to keep, pointing at the source offset', () => {
    const omitted = {
      ...from('1'),
      [DLQ_HEADER.offset]: '42',
      [DLQ_HEADER.valueOmitted]: '9000 value bytes …',
    };
    expect(targetOf(omitted)).toEqual({
      why: 'its value was too large to dead-letter and is not in it: replay invoice.lines_ingested at partition 1, offset 42 instead',
    });
  });

  it('never goes where a header says otherwise, even to a look-alike of the source', () => {
    for (const forged of [
      'invoice.lines_ingested\u0000',
      'invoice.lines_ingested ',
      TOPICS.pushedToFinance,
    ]) {
      expect(targetOf({ [DLQ_HEADER.topic]: forged, [DLQ_HEADER.partition]: '0' }), forged).toEqual({
        why: expect.stringMatching(
          /is not invoice\.lines_ingested, the one topic dead letters of invoice\.lines_ingested\.dlq go back to$/,
        ),
      });
    }
  });
});
