// Memory on a big backlog: the service as its own process (`invoice-finance-sync start`, pusher and
// recorder) drains a backlog of 33-line invoices, finance answering at once; its resident memory is
// sampled from outside (/proc/<pid>/status VmRSS every 100 ms) and its peak read from VmHWM.
//   npm run bench:memory   (BENCH_MEMORY_EVENTS=100000, BENCH_PARTITIONS=6, plus any service variable,
//                           e.g. KAFKA_FETCH_MAX_BYTES, PUSHER_MAX_IN_FLIGHT; BENCH_MEMORY_LIMITS,
//                           BENCH_SERVICE_NODE_OPTIONS, BENCH_SERVICE_STDOUT)
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadConfig } from '../src/config/config.ts';
import { heapArguments } from '../src/ops/heap-sizing.ts';
import { countRecords } from './baselines.ts';
import {
  benchEnv,
  benchId,
  benchKafka,
  cleanUp,
  type Endpoints,
  publishBacklog,
  startFinance,
  waitUntil,
} from './bench-kit.ts';
import { BenchError, header, loadLine, median, runBench, table } from './bench-report.ts';
import { benchStack } from './bench-stack.ts';
import { serviceStdout, spawnChild } from './children.ts';
import { exited, freePort } from './latency-kit.ts';
import { createMemoryLimit, type MemoryLimit, parseMemoryLimit } from './memory-limit.ts';
import { statusBytes } from './proc-status.ts';

const EVENTS = Number(process.env.BENCH_MEMORY_EVENTS ?? 100_000);
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 6);
const CLI = fileURLToPath(new URL('../bin/invoice-finance-sync.ts', import.meta.url));
const MIB = 2 ** 20;

/** A kB figure from /proc/<pid>/status, in bytes. */
function procStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const bytes = statusBytes(pid, field);
  if (bytes === undefined)
    throw new BenchError(`/proc/${pid}/status has no ${field}: this benchmark needs Linux`);
  return bytes;
}

async function recordedRows(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>('select count(*) as n from cloud_invoices');
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

// The service as shipped, once per row of BENCH_MEMORY_LIMITS (default "none,host,512MiB"): "none" has no
// memory limit, so the service sizes its heap itself (SERVICE_HEAP_MIB); "host" has none either, with
// SERVICE_HEAP_MIB=0, so Node sizes V8's heap from the host's memory; a size (512MiB) is a container's
// limit, made here with a cgroup, that Node sizes the heap from. BENCH_SERVICE_NODE_OPTIONS adds node
// arguments to every row for experiments (e.g. --trace-gc; given as node's arguments, since NODE_OPTIONS
// refuses some of them).
const NODE_ARGS = process.env.BENCH_SERVICE_NODE_OPTIONS ?? '';

/** One drain: under a memory limit or none, and with or without the heap the service gives itself. */
interface Row {
  limit: MemoryLimit | undefined;
  serviceHeap: boolean;
}

export async function main(): Promise<void> {
  // Every limit is made before the first backlog is published: one the machine refuses stops the
  // benchmark at once, not after a drain.
  const rowsToRun: Row[] = (process.env.BENCH_MEMORY_LIMITS ?? 'none,host,512MiB').split(',').map((text) => {
    if (text.trim().toLowerCase() === 'host') return { limit: undefined, serviceHeap: false };
    const bytes = parseMemoryLimit(text);
    const limit = bytes === undefined ? undefined : createMemoryLimit(bytes, `ifs-bench-${benchId()}`);
    return { limit, serviceHeap: true };
  });
  const stack = await benchStack();
  const rows: string[][] = [];
  let context = '';
  try {
    for (const row of rowsToRun) {
      const drained = await drainBacklog(stack.endpoints, row);
      rows.push(drained.row);
      context = drained.context;
    }
  } finally {
    for (const row of rowsToRun) row.limit?.remove();
  }
  header('Memory draining a backlog', 'npm run bench:memory');
  console.log(`${context}\n`);
  table(
    [
      'memory limit of the service',
      'V8 heap limit',
      'peak RSS (VmHWM)',
      'RSS sampled: median, max',
      'V8 heap peak: used, total; external',
      'drain (pushed and recorded)',
      'bounds in force',
    ],
    rows,
  );
  await stack.stop();
}

/** Publishes the backlog on fresh topics, then starts the service and measures it until all is recorded. */
async function drainBacklog(endpoints: Endpoints, { limit, serviceHeap }: Row) {
  const kafka = benchKafka(endpoints);
  const id = benchId();
  const secret = randomBytes(32).toString('hex');
  const finance = await startFinance(secret, 0);
  const env = benchEnv(
    endpoints,
    id,
    { url: finance.url, secret },
    {
      HTTP_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
      KAFKA_TOPIC_PARTITIONS: String(PARTITIONS),
      ...(serviceHeap ? {} : { SERVICE_HEAP_MIB: '0' }),
    },
  );
  const config = loadConfig({ ...process.env, ...env });
  try {
    const publishedIn = await timed(() => publishBacklog(config, id, EVENTS));
    const pushed = await countRecords(kafka, config.topics.pushedToFinance, PARTITIONS);
    const load = loadLine();
    const nodeArgs = NODE_ARGS.split(/\s+/).filter(Boolean);
    const inLimit = (argv: string[]) => (limit ? limit.wrap(argv) : argv);
    const heapLimit = v8HeapLimit(
      inLimit([process.execPath, ...serviceHeapArguments(config.heapMib, limit, nodeArgs), ...nodeArgs]),
    );
    const [command, ...args] = inLimit([process.execPath, ...nodeArgs, CLI, 'start']);
    const service = spawnChild(command as string, args, {
      env: { ...process.env, ...env, NODE_OPTIONS: '' },
      stdio: ['ignore', serviceStdout(), 'inherit'],
    });
    const pid = service.pid as number;
    const samples: number[] = [];
    const died = exited(service).then((code) => {
      throw new BenchError(
        `the service (invoice-finance-sync start) exited with ${code} before the drain ended`,
      );
    });
    died.catch(() => undefined); // raced below
    const sampler = setInterval(() => {
      if (service.exitCode === null) samples.push(procStatus(pid, 'VmRSS'));
    }, 100);
    const heap = sampleHeap(Number(env.HTTP_PORT));
    const drain = async () => {
      await waitUntil('every invoice pushed', () => pushed.seen() >= EVENTS, 1_800_000);
      let rows = 0;
      await waitUntil(
        'every invoice recorded',
        () => rows >= EVENTS,
        1_800_000,
        async () => {
          rows = await recordedRows(config.database.url);
        },
      );
    };
    const drainedIn = await timed(() => Promise.race([died, drain()]));
    clearInterval(sampler);
    const heapPeaks = heap.stop();
    const peak = procStatus(pid, 'VmHWM');
    service.kill('SIGTERM');
    await exited(service);
    await pushed.close();
    const { kafka: k, pusher, recorder } = config;
    return {
      context: `${EVENTS} invoices of 33 lines published in ${(publishedIn / 1000).toFixed(0)} s, ${PARTITIONS} partitions, finance at 0 ms; ${load} when the drain began`,
      row: [
        rowName(limit, config.heapMib),
        `${(heapLimit / MIB).toFixed(0)} MiB`,
        `${(peak / MIB).toFixed(0)} MiB`,
        `${(median(samples) / MIB).toFixed(0)}, ${(Math.max(...samples) / MIB).toFixed(0)} MiB`,
        heapPeaks,
        `${(drainedIn / 1000).toFixed(0)} s (${((EVENTS * 1000) / drainedIn).toFixed(0)}/s)`,
        `KAFKA_FETCH_MAX_BYTES=${k.fetch.maxBytes}, KAFKA_FETCH_MAX_BYTES_PER_PARTITION=${k.fetch.maxBytesPerPartition}, PUSHER_MAX_IN_FLIGHT=${pusher.maxInFlight}, RECORDER_MAX_IN_FLIGHT=${recorder.maxInFlight}`,
      ],
    };
  } finally {
    finance.stop();
    await cleanUp(endpoints, config);
  }
}

function rowName(limit: MemoryLimit | undefined, heapMib: number): string {
  const name =
    limit === undefined
      ? `none (host: ${(totalmem() / 2 ** 30).toFixed(0)} GiB), SERVICE_HEAP_MIB=${heapMib}`
      : `${(limit.bytes / MIB).toFixed(0)} MiB (cgroup)`;
  return name + (NODE_ARGS ? `, \`${NODE_ARGS}\`` : '');
}

/** The node arguments \`start\` gives itself in this row (none under a limit, with SERVICE_HEAP_MIB=0, or with the bench's own). */
function serviceHeapArguments(heapMib: number, limit: MemoryLimit | undefined, nodeArgs: string[]): string[] {
  return (
    heapArguments({
      heapMib,
      constrained: limit?.bytes ?? 0,
      host: totalmem(),
      execArgv: nodeArgs,
      nodeOptions: '',
      alreadySized: false,
    }) ?? []
  );
}

/** Peaks of the V8 heap (used and total) and of external memory, read from the service's /metrics. */
function sampleHeap(port: number) {
  const names = [
    'nodejs_heap_size_used_bytes',
    'nodejs_heap_size_total_bytes',
    'nodejs_external_memory_bytes',
  ];
  const peaks = names.map(() => 0);
  const timer = setInterval(async () => {
    try {
      const lines = (await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).split('\n');
      names.forEach((name, i) => {
        const value = Number(lines.find((l) => l.startsWith(`${name} `))?.split(' ')[1] ?? 0);
        peaks[i] = Math.max(peaks[i] ?? 0, value);
      });
    } catch {
      // not listening yet, or busy
    }
  }, 1_000);
  return {
    stop: () => {
      clearInterval(timer);
      const [used, total, external] = peaks.map((bytes) => (bytes / MIB).toFixed(0));
      return `${used}, ${total}; ${external} MiB`;
    },
  };
}

/** The heap limit V8 takes in a Node started the same way as the service (same arguments, same limit). */
function v8HeapLimit(argv: string[]): number {
  const [command, ...args] = argv;
  const script = 'process.stdout.write(String(require("node:v8").getHeapStatistics().heap_size_limit))';
  return Number(execFileSync(command as string, [...args, '-e', script], { encoding: 'utf8' }));
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = Date.now();
  await work();
  return Date.now() - started;
}

if (import.meta.main) runBench('bench:memory', main);
