import type { InvoiceLinesIngested } from '../../src/invoice/invoice-events.ts';
import type { Logger } from '../../src/ops/logger.ts';
import type { Infrastructure } from '../../src/service/infrastructure.ts';
import type { Service, ServiceRoles } from '../../src/service/service.ts';
import type { FinanceServer } from '../../tools/finance-server/finance-server.ts';
import { within } from './eventually.ts';
import { createTopics, testKafka, topicReaderForTest } from './kafka.ts';
import { financeForTest, infraForTest, publishLinesIngested, serviceForTest } from './service.ts';
import { testEnv } from './test-config.ts';

/** How long one step of setting a pipeline up may take on a loaded machine. */
const SETUP_MS = 45_000;
type FinanceFaults = Parameters<FinanceServer['setFaults']>[0];
type TopicReader = Awaited<ReturnType<typeof topicReaderForTest>>;
type TopicVariable =
  | 'TOPIC_LINES_INGESTED'
  | 'TOPIC_PUSHED_TO_FINANCE'
  | 'TOPIC_LINES_INGESTED_DLQ'
  | 'TOPIC_PUSHED_TO_FINANCE_DLQ';
interface TopicSetup {
  partitions?: number;
  /** Topic-level configuration, e.g. { 'max.message.bytes': '5000' }. */
  config?: Record<string, string>;
}

export interface PipelineOptions {
  /** Which consumers run (default: the pusher alone). */
  roles?: Partial<ServiceRoles>;
  /** Variables over testEnv's. */
  env?: Record<string, string>;
  /** A finance server of the test's own (default: a fresh reference server); null: none, pushing off. */
  finance?: FinanceServer | null;
  /** Faults the finance server has from the start, before the service sends anything. */
  financeFaults?: FinanceFaults;
  /** FINANCE_JWT_SECRET (default: the test secret; null: unset, pushing off). */
  secret?: string | null;
  /** Where the service logs (default: nowhere). */
  logger?: Logger;
  /** Topics created before anything else opens, by their variable (otherwise the service makes them). */
  topics?: Partial<Record<TopicVariable, TopicSetup>>;
  /** false: the service starts only at startService(), e.g. after the test published what it must find. */
  startService?: boolean;
  /** The service's variables, from the test's (e.g. its database through a proxy); default: the same. */
  serviceEnv?: (env: Record<string, string>) => Record<string, string>;
}

export interface Pipeline {
  env: Record<string, string>;
  /** The handles tests publish and look through (a second connection, not the service's own). */
  infra: Infrastructure;
  /** The finance server (a test that asked for none gets an error on use). */
  finance: FinanceServer;
  /** The service (a pipeline made with startService: false has none until startService()). */
  service: Service;
  /** Starts the service of a pipeline made with startService: false. */
  startService(): Promise<Service>;
  /** Publishes an invoice.lines_ingested event, framed and keyed as the producers do. */
  publish(event: InvoiceLinesIngested): Promise<void>;
  /** Everything on the pusher's dead-letter topic, from the beginning. */
  pusherDeadLetters(): Promise<TopicReader>;
  /** Everything on the recorder's dead-letter topic, from the beginning. */
  recorderDeadLetters(): Promise<TopicReader>;
  /** Everything on invoice.pushed_to_finance, from the beginning. */
  pushed(): Promise<TopicReader>;
}

/**
 * A pusher and/or recorder on the real stack, on topics, groups and a database of the test's own:
 * a finance server, the handles to publish and inspect, readers of the topics it writes. Each part
 * is closed when the test ends; a reader is made on first use and kept for the test.
 */
export async function pipelineForTest(options: PipelineOptions = {}): Promise<Pipeline> {
  const finance = options.finance === null ? undefined : (options.finance ?? (await financeForTest()));
  if (finance && options.financeFaults) finance.setFaults(options.financeFaults);
  const env = testEnv({
    ...(finance ? { financeUrl: finance.url } : {}),
    ...(options.secret === undefined ? {} : { secret: options.secret }),
    ...(options.env ? { env: options.env } : {}),
  });
  if (options.topics) await createTopicsOf(env, options.topics);
  // Bounded, so that a step that hangs is named rather than the test's timeout.
  const infra = await within(
    infraForTest(env),
    SETUP_MS,
    'the test infrastructure (database, schemas, topics)',
  );
  const roles = { pusher: true, recorder: false, ...options.roles };
  let service: Service | undefined;
  const startService = async () => {
    if (service) throw new Error('the service of this pipeline is already started');
    service = await within(
      serviceForTest(options.serviceEnv?.(env) ?? env, roles, options.logger),
      SETUP_MS,
      'the service to start',
    );
    return service;
  };
  if (options.startService !== false) await startService();
  const readers = new Map<string, Promise<TopicReader>>();
  const reader = (topic: string) => {
    const existing = readers.get(topic);
    if (existing) return existing;
    const made = within(topicReaderForTest(topic), SETUP_MS, `a reader of ${topic}`);
    readers.set(topic, made);
    return made;
  };
  return {
    env,
    infra,
    get finance(): FinanceServer {
      if (!finance) throw new Error('this pipeline was started without a finance server (finance: null)');
      return finance;
    },
    get service(): Service {
      if (!service) throw new Error('the service of this pipeline is not started yet (startService: false)');
      return service;
    },
    startService,
    publish: (event) => publishLinesIngested(infra, event),
    pusherDeadLetters: () => reader(env.TOPIC_LINES_INGESTED_DLQ as string),
    recorderDeadLetters: () => reader(env.TOPIC_PUSHED_TO_FINANCE_DLQ as string),
    pushed: () => reader(env.TOPIC_PUSHED_TO_FINANCE as string),
  };
}

async function createTopicsOf(env: Record<string, string>, topics: PipelineOptions['topics'] = {}) {
  const specs = Object.entries(topics).map(([variable, setup]) => ({
    topic: env[variable] as string,
    ...setup,
  }));
  const plain = specs.filter((spec) => !spec.config);
  if (plain.length > 0)
    await createTopics(
      testKafka(),
      plain.map(({ topic, partitions }) => ({ topic, numPartitions: partitions })),
    );
  const configured = specs.filter((spec) => spec.config);
  if (configured.length === 0) return;
  const admin = testKafka().admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: configured.map(({ topic, partitions, config }) => ({
        topic,
        numPartitions: partitions ?? 1,
        configEntries: Object.entries(config ?? {}).map(([name, value]) => ({ name, value })),
      })),
    });
  } finally {
    await admin.disconnect();
  }
}
