import { describe, expect, it } from 'vitest';
import { LagHistory } from '../../src/console/lag-history.ts';
import { sparkline } from '../../src/console/sparkline.ts';
import { fetchGroupLag, type LagAdmin } from '../../src/platform/kafka/group-lag.ts';

const lag = (partition: number, value: number) => ({
  partition,
  committed: 10n,
  end: 10n + BigInt(value),
  lag: BigInt(value),
});

describe('console lag: samples per partition and their sparkline', () => {
  it('keeps the last `capacity` samples of each partition, and the last failure', () => {
    const history = new LagHistory(3);
    history.track('pusher', 'pusher-group', 'invoice.lines_ingested');
    for (const [at, v] of [
      [1, 5],
      [2, 7],
      [3, 9],
      [4, 2],
    ] as const)
      history.record('pusher', at, [lag(0, v), lag(1, 0)]);
    history.fail('pusher', 'no answer within 1500 ms');
    expect(history.views()).toEqual([
      {
        name: 'pusher',
        groupId: 'pusher-group',
        topic: 'invoice.lines_ingested',
        sampledAt: 4,
        error: 'no answer within 1500 ms',
        partitions: [
          { partition: 0, committed: '10', end: '12', lag: 2, history: [7, 9, 2] },
          { partition: 1, committed: '10', end: '10', lag: 0, history: [0, 0, 0] },
        ],
      },
    ]);
  });

  it('counts lag from committed offsets, and from the log start where the group never committed', async () => {
    const admin: LagAdmin = {
      fetchTopicOffsets: async () => [
        { partition: 1, offset: '50', high: '50', low: '20' },
        { partition: 0, offset: '12', high: '12', low: '0' },
      ],
      fetchOffsets: async () => [
        {
          topic: 't',
          partitions: [
            { partition: 0, offset: '7', metadata: null },
            { partition: 1, offset: '-1', metadata: null },
          ],
        },
      ],
    };
    expect(await fetchGroupLag(admin, 'g', 't')).toEqual([
      { partition: 0, committed: 7n, end: 12n, lag: 5n },
      { partition: 1, committed: 20n, end: 50n, lag: 30n },
    ]);
  });

  it('draws points scaled to the largest, marks a rise, and says when there is nothing yet', () => {
    const line = sparkline([0, 4, 8], 'lag of partition 0').text;
    expect(line).toContain('points="2.0,26.0 80.0,14.0 158.0,2.0"');
    expect(line).toContain('class="spark rising"');
    expect(line).toContain('<title>lag of partition 0</title>');
    expect(sparkline([], 'x').text).toBe('<span class="muted">no samples yet</span>');
  });
});
