// Finds a `java` binary of at least a given major version.
// Why: Kafka 4.x runs on Java 17, but Apicurio Registry 3.3.x is compiled for
// Java 21 (class-file 65), while the machine's default `java` is 17. The dev/CI
// machines also carry a Temurin JDK under /usr/lib/jvm, so we look there too.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

export type JavaBin = { bin: string; major: number };

/** "17.0.15" -> 17, "1.8.0_402" -> 8, otherwise 0. */
function parseMajor(version: string): number {
  const [first, second] = version.split('.');
  const major = Number(first === '1' ? second : first);
  return Number.isFinite(major) ? major : 0;
}

function javaMajor(bin: string): number {
  try {
    // A JDK's `release` file is much cheaper to read than starting a JVM.
    const release = join(dirname(dirname(realpathSync(bin))), 'release');
    const m = /^JAVA_VERSION="([^"]+)"/m.exec(readFileSync(release, 'utf8'));
    if (m?.[1]) return parseMajor(m[1]);
  } catch {
    // no release file: ask the binary itself
  }
  const out = spawnSync(bin, ['-version'], { encoding: 'utf8' });
  const m = /version "([^"]+)"/.exec(`${out.stderr}${out.stdout}`);
  return m?.[1] ? parseMajor(m[1]) : 0;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function candidates(): string[] {
  const list: string[] = [];
  if (process.env.JAVA_HOME) list.push(join(process.env.JAVA_HOME, 'bin', 'java'));
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir) list.push(join(dir, 'java'));
  const jvmDir = '/usr/lib/jvm';
  if (existsSync(jvmDir)) {
    // Newest-looking names first, so a JDK 25 wins over a JDK 21.
    const homes = readdirSync(jvmDir).sort().reverse();
    for (const home of homes) list.push(join(jvmDir, home, 'bin', 'java'));
  }
  return list.filter(isExecutable);
}

/**
 * First java >= minMajor from: $<overrideEnv> (a path to a java binary, taken
 * as given), JAVA_HOME, PATH, /usr/lib/jvm/*. Throws a message saying what was
 * found and how to fix it.
 */
export function findJava(minMajor: number, overrideEnv: string, forWhat: string): JavaBin {
  const override = process.env[overrideEnv];
  if (override) return { bin: override, major: javaMajor(override) };
  const seen: string[] = [];
  for (const bin of new Set(candidates())) {
    const major = javaMajor(bin);
    if (major >= minMajor) return { bin, major };
    seen.push(`${bin} (${major || '?'})`);
  }
  throw new Error(
    `${forWhat} needs Java ${minMajor}+, found only: ${seen.join(', ') || 'no java at all'}. ` +
      `Install a JDK ${minMajor}+ (e.g. under /usr/lib/jvm) or set ${overrideEnv}=/path/to/bin/java.`,
  );
}
