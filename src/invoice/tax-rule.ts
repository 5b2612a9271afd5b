import { SyncError } from '../failures/errors.ts';

/**
 * Which invoice lines are tax. A line is tax when its description contains one of the tax words as a
 * whole token, case-insensitively; tokens are split on anything that is not a Unicode letter or
 * digit. Whole tokens, not substrings, so "Syntax Highlighter" and "Taxonomy API" stay net while
 * "GST (10%)", "Sales Tax" and "VAT/GST" are tax.
 */
export const DEFAULT_TAX_WORDS: readonly string[] = Object.freeze(['gst', 'tax', 'taxes']);

/** Tax words per provider id; a provider without an entry uses `DEFAULT_TAX_WORDS`. */
export type TaxWordsByProvider = Readonly<Record<string, readonly string[]>>;

export type TaxClassifier = (description: string) => boolean;

const SINGLE_TOKEN = /^[\p{L}\p{N}]+$/u;

/**
 * Builds the classifier once per word list: one regex matching any of the words as a whole token
 * (no letter or digit either side), run on the lowercased description. Splitting every description
 * into tokens allocated an array and a string per token, for every line of every invoice. Rejects a
 * word that is not a single token at once, because such a word could never match and would silently
 * turn tax lines into net lines.
 */
export function createTaxClassifier(words: readonly string[]): TaxClassifier {
  const lowered = new Set<string>();
  for (const word of words) {
    if (!SINGLE_TOKEN.test(word)) {
      // The configuration refuses such words at start; this guards a list that bypassed it.
      throw new SyncError(
        'CONFIG_INVALID',
        `tax word ${JSON.stringify(word)} must be one token of letters or digits; fix TAX_WORDS or TAX_WORDS_BY_PROVIDER`,
        { details: { word } },
      );
    }
    // A word whose lowercase is no longer one token (e.g. 'İ') can match no token of a description.
    const lower = word.toLowerCase();
    if (SINGLE_TOKEN.test(lower)) lowered.add(lower);
  }
  if (lowered.size === 0) return () => false;
  // Letters and digits only (checked above): nothing to escape.
  const anyWord = new RegExp(`(?<![\\p{L}\\p{N}])(?:${[...lowered].join('|')})(?![\\p{L}\\p{N}])`, 'u');
  return (description) => anyWord.test(description.toLowerCase());
}

/** Key of `TaxWordsByProvider` holding the list for every provider without its own (TAX_WORDS). */
export const ANY_PROVIDER = '*';

/**
 * The provider's own list if configured, else the `*` list, else the default.
 * `Object.hasOwn` keeps out `constructor` & co.
 */
export function taxWordsFor(provider: string, byProvider: TaxWordsByProvider = {}): readonly string[] {
  if (Object.hasOwn(byProvider, provider)) return byProvider[provider] ?? DEFAULT_TAX_WORDS;
  return Object.hasOwn(byProvider, ANY_PROVIDER)
    ? (byProvider[ANY_PROVIDER] ?? DEFAULT_TAX_WORDS)
    : DEFAULT_TAX_WORDS;
}

// Keyed by list identity: configuration is frozen once at start, so each list compiles exactly once.
const classifierCache = new WeakMap<readonly string[], TaxClassifier>();

/** The compiled classifier for a provider, built on first use of its word list. */
export function taxClassifierFor(provider: string, byProvider: TaxWordsByProvider = {}): TaxClassifier {
  const words = taxWordsFor(provider, byProvider);
  let classifier = classifierCache.get(words);
  if (classifier === undefined) {
    classifier = createTaxClassifier(words);
    classifierCache.set(words, classifier);
  }
  return classifier;
}
