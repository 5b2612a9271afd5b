import { type ProbeResult, SILENCE_TOLERATED_MS, SilenceTolerance } from '../readiness-probe.ts';
import type { AvroCodec } from './avro-codec.ts';

/** undici's codes for a server that accepted nothing, or sent no headers or no body, in time. */
const SILENT = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * The registry's part of /readyz. A registry that answered before and is now only slow (a JVM
 * collector's pause, a starved machine) stays ready for a while, as the brokers do: schemas are
 * cached, so a few slow seconds stop nothing. A refusal, an error status or a rejected login is
 * down at once. Recovery from a systemic failure asks `codec.ping()` itself, which forgives nothing.
 */
export class RegistryProbe {
  readonly #codec: Pick<AvroCodec, 'ping'>;
  readonly #silence: SilenceTolerance;

  constructor(codec: Pick<AvroCodec, 'ping'>, silenceToleratedMs = SILENCE_TOLERATED_MS) {
    this.#codec = codec;
    this.#silence = new SilenceTolerance(silenceToleratedMs);
  }

  async check(): Promise<ProbeResult> {
    try {
      await this.#codec.ping();
      this.#silence.answered();
      return { ok: true };
    } catch (error) {
      const tolerated = this.#silence.tolerates();
      if (silent(error) && tolerated) return { ok: true };
      return { ok: false, error: (error as Error).message };
    }
  }
}

function silent(error: unknown): boolean {
  const code = ((error as Error).cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && SILENT.has(code);
}
