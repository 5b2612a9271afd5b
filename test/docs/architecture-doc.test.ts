import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { folderGraph } from '../../tools/architecture/folder-graph.ts';

describe('ARCHITECTURE.md', () => {
  it('shows the folder graph of the code as it is (npm run architecture redraws it)', () => {
    const doc = readFileSync(new URL('../../ARCHITECTURE.md', import.meta.url), 'utf8');
    expect(doc).toContain(folderGraph());
  }, 30_000);
});
