// What a sampled allocation profile (bench/allocation-sampler.ts) says made the garbage: bytes
// allocated by each function itself, and by each of ours and our libraries' functions with what it calls.
//   node bench/allocation-summary.ts <file.heapprofile> [top=25]
import { readFileSync } from 'node:fs';

interface AllocationNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: AllocationNode[];
}

/** A package's file as `package/path`, ours as `src/path`. */
const fileOf = (url: string) =>
  url.includes('node_modules/')
    ? url.replace(/.*node_modules\//, '')
    : url.replace(/.*\/(src|bench)\//, '$1/');
const where = (frame: AllocationNode['callFrame']) =>
  `${frame.functionName || '(anonymous)'} ${fileOf(frame.url)}:${frame.lineNumber + 1}`;

export function allocationsOf(head: AllocationNode) {
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  const walk = (node: AllocationNode, above: ReadonlySet<string>) => {
    const name = where(node.callFrame);
    total += node.selfSize;
    self.set(name, (self.get(name) ?? 0) + node.selfSize);
    const stack = new Set(above).add(name);
    for (const frame of stack) inclusive.set(frame, (inclusive.get(frame) ?? 0) + node.selfSize);
    for (const child of node.children) walk(child, stack);
  };
  walk(head, new Set());
  const ranked = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return { total, self: ranked(self), inclusive: ranked(inclusive) };
}

function main() {
  const [file, topArg] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node bench/allocation-summary.ts <file.heapprofile> [top=25]');
    process.exit(64);
  }
  const top = Number(topArg ?? 25);
  const { head } = JSON.parse(readFileSync(file, 'utf8')) as { head: AllocationNode };
  const { total, self, inclusive } = allocationsOf(head);
  const share = (bytes: number) => `${((bytes / total) * 100).toFixed(1)} %`;
  console.log(`${file}: ${(total / 2 ** 20).toFixed(0)} MiB allocated (sampled)\n`);
  console.log('| function (allocated itself) | share |\n|---|---|');
  for (const [name, bytes] of self.slice(0, top)) console.log(`| ${name} | ${share(bytes)} |`);
  const ours = inclusive.filter(([name]) => /^\S+ (src\/|kafkajs|undici|pg|avsc|pino|@mikro-orm)/.test(name));
  console.log('\n| function (with what it calls) | share |\n|---|---|');
  for (const [name, bytes] of ours.slice(0, top)) console.log(`| ${name} | ${share(bytes)} |`);
}

if (import.meta.main) main();
