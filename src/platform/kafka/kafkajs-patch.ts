import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The kafkajs release whose code the patches were written against and checked on. */
const PATCHED_KAFKAJS_VERSION = '2.2.4';

/**
 * Patches the prototype of one of kafkajs's own classes (`modulePath`, e.g.
 * `kafkajs/src/network/requestQueue/index.js`) once per process, and only on the release the patch was
 * written for: another may have fixed the fault, or name things otherwise. `marker` (a `Symbol.for`)
 * says the patch is in place. False when the installed kafkajs is another release.
 */
export function patchKafkajsClass<Proto extends object>(
  modulePath: string,
  marker: symbol,
  patch: (proto: Proto) => void,
): boolean {
  const { version } = require('kafkajs/package.json') as { version: string };
  if (version !== PATCHED_KAFKAJS_VERSION) return false;
  const proto = (require(modulePath) as { prototype: Proto }).prototype;
  const marks = proto as Record<symbol, true | undefined>;
  if (marks[marker]) return true;
  patch(proto);
  marks[marker] = true;
  return true;
}
