import { describe, expect, it } from 'vitest';
import {
  createTaxClassifier,
  DEFAULT_TAX_WORDS,
  type TaxWordsByProvider,
  taxClassifierFor,
  taxWordsFor,
} from '../../src/invoice/tax-rule.ts';

describe('default tax words', () => {
  const isTax = createTaxClassifier(DEFAULT_TAX_WORDS);

  it('are gst, tax and taxes', () => {
    expect(DEFAULT_TAX_WORDS).toEqual(['gst', 'tax', 'taxes']);
  });

  it.each(['GST (10%)', 'Sales Tax', 'Taxes', 'VAT/GST', 'tax', 'gst-au', 'Withholding TAX 2026'])(
    '%j is a tax line',
    (description) => {
      expect(isTax(description)).toBe(true);
    },
  );

  it.each([
    'Syntax Highlighter',
    'syntax-highlighter (s-1vcpu-512mb-10gb)',
    'Taxonomy API',
    'taxonomy-api',
    'Taxi',
    'GSTR filing',
    'Droplet web-01',
    '',
  ])('%j is a net line: the word must be a whole token', (description) => {
    expect(isTax(description)).toBe(false);
  });

  it('splits on any non-letter, non-digit character, including Unicode punctuation', () => {
    expect(isTax('Impôts—tax—2026')).toBe(true);
    expect(isTax('steuer·gst')).toBe(true);
  });
});

describe('createTaxClassifier', () => {
  it('matches configured words case-insensitively', () => {
    const isTax = createTaxClassifier(['VAT', 'MwSt']);
    expect(isTax('VAT 20%')).toBe(true);
    expect(isTax('mwst 19 %')).toBe(true);
    expect(isTax('GST (10%)')).toBe(false);
  });

  it('treats Unicode letters as part of a token', () => {
    const isTax = createTaxClassifier(['impôt']);
    expect(isTax('Impôt sur le revenu')).toBe(true);
    expect(isTax('impôts')).toBe(false);
  });

  it('rejects a word that is not one token, since it could never match', () => {
    expect(() => createTaxClassifier(['sales tax'])).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        message:
          'tax word "sales tax" must be one token of letters or digits; fix TAX_WORDS or TAX_WORDS_BY_PROVIDER',
        details: { word: 'sales tax' },
      }),
    );
    expect(() => createTaxClassifier([''])).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });

  it('with an empty word list classifies every line as net', () => {
    expect(createTaxClassifier([])('GST (10%)')).toBe(false);
  });
});

describe('per-provider tax words', () => {
  const byProvider: TaxWordsByProvider = { aws: ['vat', 'tax'], azure: [] };

  it('uses the provider list when one is configured', () => {
    expect(taxWordsFor('aws', byProvider)).toEqual(['vat', 'tax']);
    expect(taxWordsFor('azure', byProvider)).toEqual([]);
  });

  it('falls back to the default list for other providers and when nothing is configured', () => {
    expect(taxWordsFor('digitalocean', byProvider)).toBe(DEFAULT_TAX_WORDS);
    expect(taxWordsFor('digitalocean')).toBe(DEFAULT_TAX_WORDS);
  });

  it('does not mistake inherited object keys for providers', () => {
    expect(taxWordsFor('constructor', byProvider)).toBe(DEFAULT_TAX_WORDS);
    expect(taxWordsFor('__proto__', byProvider)).toBe(DEFAULT_TAX_WORDS);
  });

  it('classifies with the provider list', () => {
    expect(taxClassifierFor('aws', byProvider)('VAT')).toBe(true);
    expect(taxClassifierFor('aws', byProvider)('GST (10%)')).toBe(false);
    expect(taxClassifierFor('digitalocean', byProvider)('GST (10%)')).toBe(true);
  });

  it('compiles each word list once', () => {
    expect(taxClassifierFor('aws', byProvider)).toBe(taxClassifierFor('aws', byProvider));
  });
});
