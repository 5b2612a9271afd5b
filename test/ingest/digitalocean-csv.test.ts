import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDigitalOceanCsv, parseUsdToCents } from '../../src/ingest/digitalocean-csv.ts';

const HEADER = 'product,group_description,description,hours,start,end,USD,project_name,category';
const PERIOD = '2026-04-01 00:00:00 +0000,2026-05-01 00:00:00 +0000';

function csvOf(...rows: string[]): string {
  return `${[HEADER, ...rows].join('\n')}\n`;
}

/** What `parseDigitalOceanCsv` refuses with: the catalogue code, `<file>:<line>: <reason>`, the facts. */
function refusal(file: string, line: number, reason: string) {
  return expect.objectContaining({
    code: 'INGEST_INPUT_INVALID',
    message: `${file}:${line}: ${reason}`,
    details: { file, line, reason },
  });
}

function amountRefusal(amount: string, reason: string) {
  return expect.objectContaining({ code: 'INGEST_INPUT_INVALID', message: reason, details: { amount } });
}

describe('parseUsdToCents', () => {
  it.each([
    ['12.5', 1250],
    ['12.50', 1250],
    ['12', 1200],
    ['0.07', 7],
    ['0.1', 10],
    ['-3.00', -300],
    ['-0.01', -1],
    ['$1,234.56', 123456],
    ['-$1,234.56', -123456],
    ['$-3.00', -300],
    [' 7.90 ', 790],
    ['1234567.89', 123456789],
    ['-0.00', 0],
  ])('reads %j as %i cents', (text, cents) => {
    expect(parseUsdToCents(text)).toBe(cents);
  });

  it('is exact where float arithmetic is not (0.29 * 100 is 28.999999999999996)', () => {
    expect(parseUsdToCents('0.29')).toBe(29);
    expect(parseUsdToCents('4.35')).toBe(435);
    expect(parseUsdToCents('90071992547409.91')).toBe(9007199254740991);
  });

  it('rejects more than 2 decimals instead of rounding', () => {
    expect(() => parseUsdToCents('1.005')).toThrow(
      amountRefusal('1.005', '"1.005" has more than 2 decimals; cents are the smallest unit'),
    );
  });

  it.each(['abc', '1,23.00', '12.', '.50', '1e3', '--1', '-$-1', '12.3.4', 'USD 5'])('rejects %j', (text) => {
    expect(() => parseUsdToCents(text)).toThrow(
      amountRefusal(text, `${JSON.stringify(text)} is not a dollar amount like 12.34`),
    );
  });

  it('rejects an empty amount', () => {
    expect(() => parseUsdToCents('  ')).toThrow(amountRefusal('', 'amount is empty'));
  });

  it('rejects an amount too large to hold exactly', () => {
    expect(() => parseUsdToCents('90071992547409.92')).toThrow(
      amountRefusal('90071992547409.92', '"90071992547409.92" is too large to hold exactly in cents'),
    );
  });
});

describe('parseDigitalOceanCsv', () => {
  it('reads every line of the April 2026 export with exact cents', () => {
    const csv = readFileSync(new URL('../fixtures/digitalocean-2026-04.csv', import.meta.url), 'utf8');
    const lines = parseDigitalOceanCsv(csv);
    expect(lines).toHaveLength(33);
    expect(lines.reduce((sum, line) => sum + line.amount_minor, 0)).toBe(8692);
    expect(lines[0]).toEqual({
      description: 'web-01 (s-1vcpu-1gb)',
      amount_minor: 600,
      product: 'Droplets',
      resource_id: null,
      project: 'Storefront',
    });
    expect(lines.at(-1)).toEqual({
      description: 'GST (10%)',
      amount_minor: 790,
      product: 'Taxes',
      resource_id: null,
      project: null,
    });
  });

  it('maps the columns of one row into a line', () => {
    const csv = csvOf(`Volumes,,pgdata (50 GiB),720,${PERIOD},5.00,Storefront,iaas`);
    expect(parseDigitalOceanCsv(csv)).toEqual([
      {
        description: 'pgdata (50 GiB)',
        amount_minor: 500,
        product: 'Volumes',
        resource_id: null,
        project: 'Storefront',
      },
    ]);
  });

  it('keeps quoted commas inside a description', () => {
    const csv = csvOf(
      `Spaces,,"Spaces Subscription (250 GiB storage, 1 TiB transfer)",720,${PERIOD},5.00,,iaas`,
    );
    expect(parseDigitalOceanCsv(csv)[0]?.description).toBe(
      'Spaces Subscription (250 GiB storage, 1 TiB transfer)',
    );
  });

  it('falls back to group_description, then product, when description is empty', () => {
    const csv = csvOf(
      `Bandwidth,Droplet outbound transfer (37.5 GiB),,,${PERIOD},0.38,,iaas`,
      `Monitoring,,,,${PERIOD},1.00,,paas`,
    );
    expect(parseDigitalOceanCsv(csv).map((line) => line.description)).toEqual([
      'Droplet outbound transfer (37.5 GiB)',
      'Monitoring',
    ]);
  });

  it('reads a credit as a negative amount and an empty project as null', () => {
    const csv = csvOf(`Credits,,SLA credit,,${PERIOD},-1.50,,credits`);
    expect(parseDigitalOceanCsv(csv)).toEqual([
      { description: 'SLA credit', amount_minor: -150, product: 'Credits', resource_id: null, project: null },
    ]);
  });

  it('accepts a byte-order mark, CRLF line ends, reordered and extra columns', () => {
    const header =
      'USD,description,product,group_description,hours,start,end,project_name,category,invoice_uuid';
    const csv = `\uFEFF${header}\r\n"$1,234.56",web-01,Droplets,,720,a,b,Storefront,iaas,x\r\n`;
    expect(parseDigitalOceanCsv(csv)).toEqual([
      {
        description: 'web-01',
        amount_minor: 123456,
        product: 'Droplets',
        resource_id: null,
        project: 'Storefront',
      },
    ]);
  });

  it('gives no lines for a header-only export', () => {
    expect(parseDigitalOceanCsv(`${HEADER}\n`)).toEqual([]);
  });

  it('names the file, line and column of an amount with too many decimals', () => {
    const csv = csvOf(
      `Droplets,,web-01,720,${PERIOD},6.00,,iaas`,
      '',
      `Droplets,,web-02,720,${PERIOD},6.005,,iaas`,
    );
    expect(() => parseDigitalOceanCsv(csv, 'april.csv')).toThrow(
      refusal('april.csv', 4, 'column "USD": "6.005" has more than 2 decimals; cents are the smallest unit'),
    );
  });

  it('names the line of an empty amount', () => {
    const csv = csvOf(`Droplets,,web-01,720,${PERIOD},,,iaas`);
    expect(() => parseDigitalOceanCsv(csv, 'april.csv')).toThrow(
      refusal('april.csv', 2, 'column "USD": amount is empty'),
    );
  });

  it("names the line of a ragged row, with its field count and the header's", () => {
    const csv = csvOf(
      `Droplets,,web-01,720,${PERIOD},6.00,,iaas`,
      `Droplets,,web-01,720,${PERIOD},6.00,Storefront`,
    );
    expect(() => parseDigitalOceanCsv(csv, 'april.csv')).toThrow(
      refusal('april.csv', 3, '8 fields, expected 9 as in the header'),
    );
  });

  it('names the line that has nothing to describe the invoice line', () => {
    const csv = csvOf(`,,,720,${PERIOD},6.00,,iaas`);
    expect(() => parseDigitalOceanCsv(csv, 'april.csv')).toThrow(
      refusal('april.csv', 2, 'no description, group_description or product'),
    );
  });

  it('names the column missing from the header, and the columns found', () => {
    const csv = 'product,group_description,description,hours,start,end,EUR,project_name,category\n';
    expect(() => parseDigitalOceanCsv(csv, 'april.csv')).toThrow(
      refusal(
        'april.csv',
        1,
        'the header lacks column "USD"; found: product,group_description,description,hours,start,end,EUR,project_name,category',
      ),
    );
  });

  it('rejects a header that repeats a column', () => {
    expect(() => parseDigitalOceanCsv(`${HEADER},USD\n`, 'april.csv')).toThrow(
      refusal('april.csv', 1, 'the header has column "USD" more than once'),
    );
  });

  it('rejects an empty file, naming the header it expected', () => {
    expect(() => parseDigitalOceanCsv('', 'april.csv')).toThrow(
      refusal('april.csv', 1, `empty: expected the header ${HEADER}`),
    );
  });

  it('reports malformed CSV with the line and the parser reason', () => {
    const csv = csvOf(`Droplets,,"web-01"x,720,${PERIOD},6.00,,iaas`);
    expect(() => parseDigitalOceanCsv(csv, 'april.csv')).toThrow(
      expect.objectContaining({
        code: 'INGEST_INPUT_INVALID',
        message: expect.stringMatching(
          /^april\.csv:2: not valid CSV: Invalid Closing Quote: got "x" at line 2/,
        ),
        details: expect.objectContaining({ file: 'april.csv', line: 2 }),
      }),
    );
  });

  it('names the CSV in general when no file name is given', () => {
    expect(() => parseDigitalOceanCsv('')).toThrow(/^DigitalOcean CSV:1: empty: /);
  });
});
