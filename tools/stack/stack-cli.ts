// Local stack CLI: node tools/stack/stack-cli.ts up|down|status|reset
//   up      start Kafka (127.0.0.1:9092) and the schema registry (:8081), wait until ready
//   down    stop them (data is kept)
//   status  show what runs; exit code 0 when both are ready, 3 otherwise
//   reset   down, then delete Kafka's and the registry's data (not the artifact cache)
// Only the no-Docker JVM backend exists today; backend() is where a Docker one plugs in.

import type { StackEndpoints, StackStatus } from './jvm-stack.ts';
import { jvmStackDown, jvmStackStatus, jvmStackUp, jvmStackWipe } from './jvm-stack.ts';

type Backend = {
  name: string;
  up: () => Promise<StackEndpoints>;
  down: () => Promise<Record<string, string>>;
  status: () => Promise<StackStatus>;
  wipe: () => Promise<void>;
};

function backend(): Backend {
  // Later: choose Docker here, e.g. from an env var or a --docker flag.
  return {
    name: 'jvm',
    up: () => jvmStackUp(),
    down: () => jvmStackDown(),
    status: () => jvmStackStatus(),
    wipe: () => jvmStackWipe(),
  };
}

function printStatus(s: StackStatus): boolean {
  for (const c of [s.kafka, s.apicurio]) {
    const state = c.ready ? 'ready' : c.portOpen ? 'port open, not ready' : 'not answering';
    const pid = c.pid === null ? 'no pid' : `pid ${c.pid}`;
    console.log(`${c.title.padEnd(18)} ${state.padEnd(21)} ${pid.padEnd(10)} ${c.address}`);
    if (!c.ready && c.pid !== null) console.log(`${''.padEnd(18)} log: ${c.logFile}`);
  }
  return s.kafka.ready && s.apicurio.ready;
}

async function main(command: string | undefined): Promise<number> {
  const b = backend();
  switch (command) {
    case 'up': {
      const started = Date.now();
      const endpoints = await b.up();
      console.log(`stack up (${b.name}) in ${((Date.now() - started) / 1000).toFixed(1)}s`);
      console.log(`  KAFKA_BROKERS=${endpoints.kafkaBrokers}`);
      console.log(`  SCHEMA_REGISTRY_URL=${endpoints.schemaRegistryUrl}`);
      return 0;
    }
    case 'down':
    case 'reset': {
      for (const [name, outcome] of Object.entries(await b.down())) console.log(`${name}: ${outcome}`);
      if (command === 'reset') {
        await b.wipe();
        console.log('data deleted');
      }
      return 0;
    }
    case 'status':
      return printStatus(await b.status()) ? 0 : 3;
    default:
      console.error('usage: node tools/stack/stack-cli.ts up|down|status|reset');
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  },
);
