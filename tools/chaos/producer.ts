/**
 * The upstream of a reliability run, as a process of its own: publishes invoices `first` to
 * `first + count - 1` of a run (tools/chaos/chaos-invoices.ts) to a topic, at a steady rate, and
 * never gives up on one: a send refused while the broker is down is sent again until it is acked.
 *
 *   node tools/chaos/producer.ts --brokers 127.0.0.1:9092 --registry http://127.0.0.1:8081/apis/ccompat/v7 \
 *     --topic invoice.lines_ingested --run r1 --count 5000 [--first 0] [--rate 100]
 *
 * Progress goes to stdout as JSON lines: {"published":n} now and then, {"done":true,"published":n}
 * at the end. --rate is invoices per second (0: as fast as the broker takes them).
 * With --poison-every k, the records of tools/chaos/poison-catalogue.ts go out one after every k
 * valid invoices, until the catalogue is exhausted.
 */
import { parseArgs } from 'node:util';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { invoiceKey } from '../../src/invoice/invoice-events.ts';
import { quietKnownLibraryWarnings } from '../../src/ops/process-warnings.ts';
import { AvroCodec } from '../../src/platform/registry/avro-codec.ts';
import { loadContracts } from '../../src/platform/registry/contracts.ts';
import { CHAOS_TENANT, chaosInvoice } from './chaos-invoices.ts';
import { type PoisonRecord, poisonCatalogue } from './poison-catalogue.ts';

const TICK_MS = 20; // how often a rate-limited run looks whether more invoices are due
const MAX_BATCH = 200; // records per send when publishing as fast as possible
const RESEND_DELAY_MS = 500;
const GIVE_UP_AFTER_MS = 300_000; // five minutes of refusals: the run is broken, not the broker
const PROGRESS_EVERY_MS = 250;

quietKnownLibraryWarnings();

const { values } = parseArgs({
  options: {
    brokers: { type: 'string' },
    registry: { type: 'string' },
    topic: { type: 'string' },
    run: { type: 'string' },
    count: { type: 'string' },
    first: { type: 'string', default: '0' },
    rate: { type: 'string', default: '0' },
    'poison-every': { type: 'string', default: '0' },
    tenant: { type: 'string', default: CHAOS_TENANT },
  },
});

function required(name: keyof typeof values): string {
  const value = values[name];
  if (!value) throw new Error(`producer: --${name} is required`);
  return value;
}

const say = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends until the broker acknowledges; a broker outage only delays the invoices, never drops them. */
type Outgoing = { key: string | null; value: Buffer | null };

async function sendDurably(producer: Producer, topic: string, messages: Outgoing[]) {
  const giveUpAt = Date.now() + GIVE_UP_AFTER_MS;
  for (;;) {
    try {
      await producer.send({ topic, acks: -1, messages });
      return;
    } catch (error) {
      if (Date.now() > giveUpAt) throw error;
      say({ retrying: (error as Error).message });
      await sleep(RESEND_DELAY_MS);
    }
  }
}

/** What goes out, in order: valid invoice n, and (with poison) a catalogue record after every k. */
function schedule(count: number, first: number, poison: PoisonRecord[], every: number): Item[] {
  const order: Item[] = [];
  const pending = [...poison];
  for (let i = 0; i < count; i++) {
    order.push({ n: first + i });
    if (every > 0 && (i + 1) % every === 0 && pending.length > 0) order.push({ poison: pending.shift()! });
  }
  for (const record of pending) order.push({ poison: record });
  return order;
}

type Item = { n: number } | { poison: PoisonRecord };

/** The records of this run in order, and how to encode each (valid invoices through the registry). */
async function prepare(codec: AvroCodec, topic: string, run: string) {
  const contracts = loadContracts();
  const schemaId = await codec.register(topic, contracts.linesIngested);
  const poisonEvery = Number(values['poison-every']);
  const poison =
    poisonEvery > 0
      ? poisonCatalogue(run, {
          contracts,
          linesSchemaId: schemaId,
          // A real schema id, registered under a subject of its own, that the input topic must refuse.
          pushedSchemaId: await codec.register(`${topic}.lookalike`, contracts.pushedToFinance),
        })
      : [];
  const order = schedule(Number(required('count')), Number(values.first), poison, poisonEvery);
  const encode = async (item: Item): Promise<Outgoing> => {
    if ('poison' in item) return { key: item.poison.key, value: item.poison.value };
    const event = chaosInvoice(run, item.n, values.tenant);
    return { key: invoiceKey(event), value: await codec.encode(schemaId, contracts.linesIngested, event) };
  };
  return { order, encode };
}

/** Sends `order` at `rate` records a second (0: at once), saying how far it got now and then. */
async function publish(
  producer: Producer,
  topic: string,
  order: Item[],
  encode: (item: Item) => Promise<Outgoing>,
) {
  const rate = Number(values.rate);
  const started = Date.now();
  // On schedule: after t ms, rate × t / 1000 records are out, however long each send took.
  const due = () =>
    rate > 0 ? Math.min(order.length, Math.floor((rate * (Date.now() - started)) / 1000) + 1) : order.length;
  let sent = 0;
  let invoices = 0;
  let lastProgress = 0;
  while (sent < order.length) {
    const size = Math.min(MAX_BATCH, due() - sent);
    if (size <= 0) {
      await sleep(TICK_MS);
      continue;
    }
    const items = order.slice(sent, sent + size);
    await sendDurably(producer, topic, await Promise.all(items.map(encode)));
    sent += size;
    invoices += items.filter((item) => 'n' in item).length;
    if (Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
      say({ published: invoices });
      lastProgress = Date.now();
    }
  }
  say({ done: true, published: invoices, records: sent, ms: Date.now() - started });
}

async function main(): Promise<void> {
  const topic = required('topic');
  const run = required('run');
  const codec = new AvroCodec(required('registry'));
  const { order, encode } = await prepare(codec, topic, run);
  const kafka = new Kafka({
    clientId: `chaos-producer-${run}`,
    brokers: required('brokers').split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 200 },
  });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  await publish(producer, topic, order, encode);
  await producer.disconnect();
  await codec.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`producer failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
