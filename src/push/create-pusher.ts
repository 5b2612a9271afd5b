import type { Metrics } from '../ops/metrics.ts';
import type { CloudInvoiceRepository } from '../platform/database/cloud-invoice.repository.ts';
import { PayloadShaLoader } from '../platform/database/payload-sha-loader.ts';
import type { DurableSender } from '../platform/kafka/kafka-client.ts';
import type { Messaging } from '../platform/messaging.ts';
import type { SchemaIds } from '../platform/registry/contracts.ts';
import { type FinanceImporter, InvoicePusher } from './invoice-pusher.ts';
import type { PushObserver } from './push-observer.ts';

/** What a pusher is built from: topics to read and announce on, the skip check's table, metrics. */
export interface PushPlatform extends Messaging {
  schemaIds: SchemaIds;
  /** Durable sends of announcements and dead letters. */
  sender: DurableSender;
  database: { repository: CloudInvoiceRepository };
  metrics: Metrics;
  /** Told each outcome (the console's recent pushes). */
  recentPushes: PushObserver;
}

/** The pusher the consumer and replay share: one path from an event to finance and its announcement. */
export function createPusher(platform: PushPlatform, finance: FinanceImporter): InvoicePusher {
  return new InvoicePusher({
    codec: platform.codec,
    contracts: platform.contracts,
    pushedSchemaId: platform.schemaIds.pushedToFinance,
    pushedTopic: platform.config.topics.pushedToFinance,
    sender: platform.sender,
    finance,
    recorded: new PayloadShaLoader(platform.database.repository),
    taxWords: platform.config.taxWords,
    maxLines: platform.config.events.maxLines,
    metrics: platform.metrics,
    observer: platform.recentPushes,
  });
}
