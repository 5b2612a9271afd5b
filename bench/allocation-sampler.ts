// Loaded into a bench's service with `--import` (diagnosis only): V8's sampling heap profiler, counting
// what is allocated whether or not it is collected since, so the profile says what makes garbage, not
// what stays. On SIGTERM it writes <pid>.heapprofile into BENCH_ALLOCATION_DIR; summarize it with
//   node bench/allocation-summary.ts <file.heapprofile>
// e.g. BENCH_MODES=fair BENCH_SERVICE_NODE_OPTIONS="--import=$PWD/bench/allocation-sampler.ts"
//      BENCH_ALLOCATION_DIR=/tmp/alloc npm run bench:tenant-flood
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

const dir = process.env.BENCH_ALLOCATION_DIR;
if (dir) await sample(dir);

async function sample(dir: string): Promise<void> {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 16_384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  process.once('SIGTERM', () => {
    void session.post('HeapProfiler.stopSampling').then(({ profile }) => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${process.pid}.heapprofile`), JSON.stringify(profile));
    });
  });
}
