// Where a CPU profile's time went, as text: self time grouped by owner (our src/, each package under
// node_modules, node's internals, GC, idle) and the functions with the most self time.
//   node bench/profile-summary.ts <file.cpuprofile> [top=20]
// Profiles come from BENCH_PROFILE=<dir> npm run bench:throughput (the drain phases only).
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Who a frame belongs to: a package, our own code, node itself or the VM. */
export function ownerOf(url: string, functionName: string): string {
  // Native frames: (garbage collector), (idle), (program), or a binding such as writeBuffer.
  if (url === '') return functionName.startsWith('(') ? functionName : `native: ${functionName || 'vm'}`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  if (url.startsWith('node:')) return 'node internals';
  const own = /\/(src|bench|tools)\//.exec(url)?.[1];
  return own ? `${own}/ (ours)` : url;
}

export function summarize(profile: CpuProfile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  for (const [i, id] of profile.samples.entries()) {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const owners = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    total += us;
    const owner = ownerOf(frame.url, frame.functionName);
    owners.set(owner, (owners.get(owner) ?? 0) + us);
    const where = frame.url ? `(${owner}) ${frame.url.split('/').at(-1)}:${frame.lineNumber + 1}` : '';
    const name = `${frame.functionName || '(anonymous)'} ${where}`.trim();
    functions.set(name, (functions.get(name) ?? 0) + us);
  }
  const ranked = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return { totalUs: total, owners: ranked(owners), functions: ranked(functions) };
}

function main() {
  const [file, topArg] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node bench/profile-summary.ts <file.cpuprofile> [top=20]');
    process.exit(64);
  }
  const top = Number(topArg ?? 20);
  const { totalUs, owners, functions } = summarize(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  const share = (us: number) => `${((us / totalUs) * 100).toFixed(1)} %`;
  console.log(
    `${file}: ${(totalUs / 1e6).toFixed(2)} s sampled\n\n| self time by owner | share |\n|---|---|`,
  );
  for (const [owner, us] of owners.slice(0, top)) console.log(`| ${owner} | ${share(us)} |`);
  console.log('\n| function (self time) | share |\n|---|---|');
  for (const [name, us] of functions.slice(0, top)) console.log(`| ${name} | ${share(us)} |`);
}

if (import.meta.main) main();
