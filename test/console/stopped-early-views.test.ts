import { describe, expect, it } from 'vitest';
import { deadLettersPage } from '../../src/console/dead-letters-view.ts';
import type { InvoiceHistory } from '../../src/console/invoice-history.ts';
import { invoicePage } from '../../src/console/invoice-view.ts';
import type { PageContext } from '../../src/console/layout.ts';
import { EMPTY_REPLAY_FORM, replayPage } from '../../src/console/replay-view.ts';
import { deadLetterList } from '../../src/dead-letters/dead-letter-reader.ts';
import type { DeadLetterView } from '../../src/dead-letters/dead-letter-view.ts';

const context: PageContext = { signedIn: 'Ann On-Call' };
const topics = { pushed: 'invoice.pushed_to_finance', deadLetter: 'invoice.lines_ingested.dlq' };

function history(overrides: Partial<InvoiceHistory> = {}): InvoiceHistory {
  return {
    key: 'platform-admin:digitalocean:INV-1',
    recorded: undefined,
    announced: [],
    deadLetters: [],
    seen: [],
    errors: [],
    ...overrides,
  };
}

const search = (h: InvoiceHistory) =>
  String(invoicePage({ key: h.key, history: h, problem: undefined, announcementWindow: 5_000, topics }).body);

describe('console pages say when a bounded read stopped early, and why', () => {
  it('replay preview: the limit, the records read, and what to do', () => {
    const preview = {
      rows: ['0:0  k  e  2026-04-01  USD 1100  2 lines'],
      more: 0,
      notes: [],
      totals: { read: 10_000, selected: 1 },
      stoppedEarly: { reason: 'time limit' as const, read: 10_000 },
    };
    const base = {
      topic: 'invoice.lines_ingested',
      form: EMPTY_REPLAY_FORM,
      job: undefined,
      problem: undefined,
      now: 0,
    };
    const body = String(replayPage({ ...base, preview }, context).body);
    expect(body).toContain(
      '<p class="notice" id="stopped-early">The dry run stopped early after 10000 records (time limit): only the first 10000 records of the range were read. Narrow the range to see the rest.</p>',
    );
    const whole = String(
      replayPage({ ...base, preview: { ...preview, stoppedEarly: undefined } }, context).body,
    );
    expect(whole).not.toContain('stopped early');
  });

  it('invoice search: each topic says whether its search covered the partition, and its window', () => {
    const body = search(
      history({
        window: 10_000,
        stoppedEarly: [
          { source: topics.pushed, reason: 'record limit', read: 10_000 },
          { source: topics.deadLetter, reason: 'time limit', read: 420 },
        ],
      }),
    );
    expect(body).toContain(
      '<p class="notice stopped-early">Search stopped early after 10000 records (record limit): older records of the partition were not searched.</p>',
    );
    expect(body).toContain(
      '<p class="notice stopped-early">Search stopped early after 420 records (time limit): the newer records of the partition were not searched.</p>',
    );
    expect(body.match(/The last 10000 records of the key's partition\./g)).toHaveLength(2);
    expect(search(history())).not.toContain('stopped early'); // a search that covered everything
    expect(search(history())).toContain('The last 5000 records of the key');
  });

  it('dead letters: a partial list says so and points to dlq list', () => {
    const view = {
      partition: 0,
      offset: '3',
      failedAt: 0,
      key: 'k',
      headers: {},
      errorCode: 'X',
      reason: 'r',
    };
    const views = deadLetterList([view as unknown as DeadLetterView], {
      reason: 'record limit',
      read: 10_000,
    });
    const data = { which: 'pusher' as const, topic: topics.deadLetter, views, limit: 200 };
    const body = String(deadLettersPage(data, context).body);
    expect(body).toContain(
      '<p class="notice" id="stopped-early">The read stopped early after 10000 records (record limit): newer dead letters may be missing; <code>dlq list</code> reads them all.</p>',
    );
    const plain = String(
      deadLettersPage({ ...data, views: [view as unknown as DeadLetterView] }, context).body,
    );
    expect(plain).not.toContain('stopped early');
  });
});
