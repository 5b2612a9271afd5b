// Fetches (once) the JVM artifacts of the local stack with Maven, as declared in
// tools/stack/jvm/pom.xml, into a version-named cache folder.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Dist = {
  kafkaVersion: string;
  apicurioVersion: string;
  /** Classpath wildcard for the Kafka broker and its tools. */
  kafkaClasspath: string;
  /** Quarkus fast-jar launcher of Apicurio Registry. */
  apicurioJar: string;
};

// fileURLToPath rather than import.meta.dirname: also works under vitest's module runner.
const POM = fileURLToPath(new URL('./jvm/pom.xml', import.meta.url));

function pomProperty(pom: string, name: string): string {
  const m = new RegExp(`<${name.replaceAll('.', '\\.')}>([^<]+)</`).exec(pom);
  if (!m?.[1]) throw new Error(`${POM} has no <${name}> property`);
  return m[1].trim();
}

function runMaven(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const mvn = spawn('mvn', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    mvn.stdout.on('data', (d: Buffer) => (output += d));
    mvn.stderr.on('data', (d: Buffer) => (output += d));
    mvn.once('error', (e) =>
      reject(new Error(`cannot run mvn (is Maven installed and on PATH?): ${e.message}`)),
    );
    mvn.once('close', (code) => {
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `mvn ${args.join(' ')} failed (exit ${code}):\n${output.trim().split('\n').slice(-30).join('\n')}`,
          ),
        );
    });
  });
}

/**
 * Makes sure both artifacts are in `distDir`, running Maven only for what is
 * missing. A `.complete` marker is written after Maven succeeds, so a download
 * that was interrupted half-way is redone rather than taken for a cache hit.
 */
export async function ensureDist(
  distDir: string,
  log: (line: string) => void,
): Promise<Dist & { fetched: boolean }> {
  const pom = readFileSync(POM, 'utf8');
  const kafkaVersion = pomProperty(pom, 'kafka.version');
  const apicurioVersion = pomProperty(pom, 'apicurio.version');
  const kafkaDir = join(distDir, `kafka-${kafkaVersion}`);
  const apicurioDir = join(distDir, `apicurio-${apicurioVersion}`);

  // Maven goals are run by execution id (see the pom), only for missing parts.
  const goals: string[] = [];
  const markers: string[] = [];
  if (!existsSync(join(kafkaDir, '.complete'))) {
    goals.push('dependency:copy-dependencies@kafka-libs');
    markers.push(join(kafkaDir, '.complete'));
  }
  if (!existsSync(join(apicurioDir, '.complete'))) {
    goals.push('dependency:unpack@apicurio');
    markers.push(join(apicurioDir, '.complete'));
  }
  if (goals.length > 0) {
    const started = Date.now();
    const what = goals.map((g) => (g.includes('kafka') ? 'Kafka' : 'Apicurio')).join(' and ');
    log(`fetching ${what} from Maven Central into ${distDir} (first run only, ~200 MB)`);
    mkdirSync(distDir, { recursive: true });
    // -q -B: quiet, batch mode (no progress bars); style.color: no ANSI codes in errors.
    await runMaven(['-q', '-B', '-Dstyle.color=never', '-f', POM, `-Dstack.dist=${distDir}`, ...goals]);
    for (const marker of markers) writeFileSync(marker, `${new Date().toISOString()}\n`);
    log(`fetched in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  }
  return {
    kafkaVersion,
    apicurioVersion,
    kafkaClasspath: join(kafkaDir, 'libs', '*'),
    apicurioJar: join(apicurioDir, 'quarkus-run.jar'),
    fetched: goals.length > 0,
  };
}
