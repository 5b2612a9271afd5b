import { type Context, type Span, SpanKind, trace } from '@opentelemetry/api';
import type { Consumer } from 'kafkajs';
import { codeOf } from '../failures/errors.ts';
import { contextOfHeaders, failed, inSpan, startSpan, tracingOn } from '../ops/tracing.ts';
import type { CommitOffsets } from './offset-committer.ts';
import type { RecordContext, RecordHandler } from './record-attempt.ts';

/**
 * The consumer's spans, wrapped around its handler and its offset commits (tracing off: neither is
 * wrapped). Each record is processed in a `process <topic>` consumer span continuing the trace of
 * its `traceparent` header (or starting one); the handler's own spans are its children. kafkajs's
 * instrumentation cannot do this: it spans a batch handler that returns before its records are
 * done (batch-processor.ts), and commits go apart from processing, batched across records. So a
 * record's span is remembered until a commit covers its offset, and that commit is spanned once in
 * each trace it settles, as a child of the record's span.
 */
export class RecordTracing {
  readonly #topic: string;
  /** Undefined for records read outside a group (replay): nothing is committed, nothing remembered. */
  readonly #groupId: string | undefined;
  /** The context of each record's process span, for its dead letter. */
  readonly #spans = new WeakMap<RecordContext, Context>();
  /** Records done and not committed yet: partition → offset → their span's context and generation. */
  readonly #uncommitted = new Map<number, Map<bigint, Uncommitted>>();

  constructor(topic: string, groupId?: string) {
    this.#topic = topic;
    this.#groupId = groupId;
  }

  /** The handler, each record in its process span. */
  handler<T>(handler: RecordHandler<T>): RecordHandler<T> {
    if (!tracingOn()) return handler;
    return {
      handle: (record) => this.#process(record, () => handler.handle(record)),
      deadLetter: (record, error) => {
        const parent = this.#spans.get(record);
        const attributes = { 'invoice.outcome': 'dead_lettered', 'error.type': codeOf(error) };
        return inSpan('dead-letter', { attributes, parent }, async () => {
          await handler.deadLetter(record, error);
          if (parent) this.#done(record, parent);
        });
      },
    };
  }

  /** Commits of the topic's offsets, each spanned in the trace of every record it settles. */
  commits(consumer: Pick<Consumer, 'commitOffsets'>): CommitOffsets {
    const topic = this.#topic;
    const commit: CommitOffsets = (offsets) => consumer.commitOffsets(offsets.map((o) => ({ topic, ...o })));
    if (!tracingOn()) return commit;
    return async (offsets) => {
      this.#forgetRevoked();
      const settled = offsets.flatMap(({ partition, offset }) => this.#settle(partition, BigInt(offset)));
      const spans = settled.map((record) => this.#commitSpan(record));
      try {
        await commit(offsets);
      } catch (error) {
        for (const span of spans) failed(span, error);
        // The committer tries again; that commit is the one these records' traces should show.
        for (const record of settled) this.#remember(record.partition, record.offset, record);
        throw error;
      } finally {
        for (const span of spans) span.end();
      }
    };
  }

  #process<T>(record: RecordContext, work: () => Promise<T>): Promise<T> {
    const attributes = {
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.destination.name': record.topic,
      'messaging.destination.partition.id': String(record.partition),
      'messaging.kafka.offset': Number(record.offset),
      'messaging.kafka.message.key': record.key,
      'messaging.consumer.group.name': this.#groupId,
      'invoice.key': record.key,
    };
    const parent = contextOfHeaders(record.message.headers);
    return inSpan(`process ${this.#topic}`, { kind: SpanKind.CONSUMER, attributes, parent }, async (span) => {
      const own = trace.setSpan(parent, span as Span);
      this.#spans.set(record, own);
      try {
        const value = await work();
        this.#done(record, own);
        return value;
      } catch (error) {
        span?.setAttribute('invoice.outcome', 'failed');
        throw error;
      }
    });
  }

  #done(record: RecordContext, span: Context): void {
    if (this.#groupId === undefined) return;
    this.#remember(record.partition, BigInt(record.offset), { span, generation: record.signal });
  }

  #remember(partition: number, offset: bigint, entry: Uncommitted): void {
    const records = this.#uncommitted.get(partition) ?? new Map<bigint, Uncommitted>();
    records.set(offset, { span: entry.span, generation: entry.generation });
    this.#uncommitted.set(partition, records);
  }

  /**
   * Drops the records of a revoked generation: their offsets are the next owner's to commit (the
   * committer starts afresh with each generation too). Few: at most the records in flight then.
   */
  #forgetRevoked(): void {
    for (const records of this.#uncommitted.values()) {
      for (const [offset, entry] of records) if (entry.generation.aborted) records.delete(offset);
    }
  }

  /** The records a commit of `next` settles (every offset below it), taken out. */
  #settle(partition: number, next: bigint): Settled[] {
    const records = this.#uncommitted.get(partition);
    if (!records) return [];
    const settled: Settled[] = [];
    for (const [offset, entry] of records) {
      if (offset >= next) continue;
      settled.push({ partition, offset, next, ...entry });
      records.delete(offset);
    }
    return settled;
  }

  #commitSpan(record: Settled): Span {
    return startSpan(`commit ${this.#topic}`, {
      kind: SpanKind.CLIENT,
      parent: record.span,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'settle',
        'messaging.operation.name': 'commit',
        'messaging.destination.name': this.#topic,
        'messaging.destination.partition.id': String(record.partition),
        'messaging.consumer.group.name': this.#groupId,
        // The offset committed: the next record to read, past this one.
        'messaging.kafka.offset': Number(record.next),
      },
    });
  }
}

/** A record done and not committed yet: its process span's context, and its generation's signal. */
interface Uncommitted {
  span: Context;
  /** Aborted once the generation the record was taken under is revoked. */
  generation: AbortSignal;
}

/** A done record a commit settles: where it was, the offset committed. */
interface Settled extends Uncommitted {
  partition: number;
  offset: bigint;
  next: bigint;
}
