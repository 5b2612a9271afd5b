import { pingProbe, type TimedProbe } from '../readiness-probe.ts';
import type { AvroCodec } from './avro-codec.ts';

/** undici's codes for a server that accepted nothing, or sent no headers or no body, in time. */
const SILENT = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * The registry's part of /readyz. A registry that answered before and is now only slow (a JVM
 * collector's pause, a starved machine) stays ready for a while, as the brokers do: schemas are
 * cached, so a few slow seconds stop nothing. A refusal, an error status or a rejected login is
 * down at once. Recovery from a systemic failure asks `codec.ping()` itself, which forgives nothing.
 */
export function registryProbe(codec: Pick<AvroCodec, 'ping'>, silenceToleratedMs?: number): TimedProbe {
  return pingProbe('schema registry', () => codec.ping(), { silent, silenceToleratedMs });
}

function silent(error: Error): boolean {
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && SILENT.has(code);
}
