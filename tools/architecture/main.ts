/**
 * Redraws the folder graph in ARCHITECTURE.md from the code: `npm run architecture`.
 * test/docs/architecture-doc.test.ts fails when the committed graph is not the code's.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { folderGraph, withGraph } from './folder-graph.ts';

const file = new URL('../../ARCHITECTURE.md', import.meta.url);
writeFileSync(file, withGraph(readFileSync(file, 'utf8'), folderGraph()));
process.stdout.write('ARCHITECTURE.md: folder graph redrawn\n');
