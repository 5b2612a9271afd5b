import { readFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import TimeoutMiddleware from 'mappersmith/middleware/timeout';
import { Agent, request } from 'undici';
import type { RegistryConfig } from '../../config/connection-config.ts';
import { SyncError } from '../../failures/errors.ts';
import './avro-array-guard.ts';
import { registryError } from './registry-errors.ts';
import { SafeLongType } from './safe-long.ts';

/**
 * Most one registry request may take. A registry that accepts a request and never answers would
 * otherwise hold start-up, or a partition whose event names a schema id not seen yet, for good.
 */
const REQUEST_TIMEOUT_MS = 10_000;
/** The library's middleware type: it loads mappersmith as CommonJS, we import its ES module (same code, other declarations). */
type RegistryMiddleware = NonNullable<ConstructorParameters<typeof SchemaRegistry>[0]['middlewares']>[number];

/** The Confluent wire format: magic byte 0, a 4-byte big-endian schema id, then the Avro body. */
const MAGIC_BYTE = 0;
const HEADER_BYTES = 5;

export interface AvroContract<T> {
  /** The schema this service reads and writes (schemas/*.avsc). */
  type: avro.Type;
  schemaText: string;
  /** Phantom field carrying the decoded TypeScript shape. */
  readonly _shape?: T;
}

export function loadContract<T>(path: URL): AvroContract<T> {
  const schemaText = readFileSync(path, 'utf8');
  // A fresh registry per schema: avsc adds the schema's named types to it.
  const type = avro.Type.forSchema(JSON.parse(schemaText), { registry: { long: SafeLongType } });
  return { schemaText, type };
}

/**
 * Thin adapter over @kafkajs/confluent-schema-registry. Decoding resolves the writer's schema
 * (by id, cached by the library) into OUR reader schema, so older or newer BACKWARD-compatible
 * writers decode into the shape this code expects. The library would rebuild the reader type on
 * every call when given a reader schema, so resolvers are built once per writer id here.
 */
export class AvroCodec {
  readonly #registry: SchemaRegistry;
  readonly #resolvers = new Map<string, ReturnType<avro.Type['createResolver']> | 'same'>();

  readonly #url: string;
  readonly #access: Pick<RegistryConfig, 'auth' | 'ca'>;
  /** Our CA for the readiness ping (undici), when the registry's certificate needs one. */
  readonly #pingAgent: Agent | undefined;

  /** A bare URL, or the registry with its basic auth and CA (SCHEMA_REGISTRY_*). */
  constructor(registry: string | RegistryConfig, requestTimeoutMs = REQUEST_TIMEOUT_MS) {
    const { url, auth, ca } =
      typeof registry === 'string' ? { url: registry, auth: undefined, ca: undefined } : registry;
    this.#url = url.replace(/\/+$/, '');
    this.#access = { auth, ca };
    this.#registry = new SchemaRegistry({
      host: url,
      retry: { retries: 2 },
      middlewares: [TimeoutMiddleware(requestTimeoutMs) as unknown as RegistryMiddleware],
      ...(auth ? { auth } : {}),
      // The library's HTTP gateway (mappersmith) takes a node:https agent; no keep-alive: schemas are cached.
      ...(ca ? { agent: new HttpsAgent({ ca }) } : {}),
    });
    this.#pingAgent = ca ? new Agent({ connect: { ca } }) : undefined;
  }

  /** Registers a schema under `<topic>-value` (TopicNameStrategy) with BACKWARD compatibility. */
  async register(topic: string, contract: AvroContract<unknown>): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      try {
        const { id } = await this.#registry.register(
          { type: SchemaType.AVRO, schema: contract.schemaText },
          { subject: `${topic}-value`, compatibility: COMPATIBILITY.BACKWARD },
        );
        return id;
      } catch (error) {
        // Instances starting together on a new subject both set its compatibility; Apicurio answers
        // the second with 409 "A rule named 'COMPATIBILITY' already exists". Once it exists, the
        // library reads it instead of setting it, so registering again succeeds.
        if (attempt < MAX_REGISTER_ATTEMPTS && lostCompatibilityRace(error)) continue;
        throw registryError(error, `registering ${topic}-value`, this.#access);
      }
    }
  }

  /** The id of the newest schema registered under `<topic>-value`. */
  async latestId(topic: string): Promise<number> {
    try {
      return await this.#registry.getLatestSchemaId(`${topic}-value`);
    } catch (error) {
      throw registryError(error, `looking up ${topic}-value`, this.#access);
    }
  }

  /** Answers when the registry does, with the same credentials and CA (for /readyz). */
  async ping(): Promise<void> {
    const { auth } = this.#access;
    let status: number;
    try {
      const response = await request(`${this.#url}/subjects`, {
        headersTimeout: 2_000,
        bodyTimeout: 2_000,
        ...(this.#pingAgent ? { dispatcher: this.#pingAgent } : {}),
        ...(auth ? { headers: { authorization: basicAuthorization(auth) } } : {}),
      });
      await response.body.dump();
      status = response.statusCode;
    } catch (error) {
      throw registryError(error, 'answering a readiness check', this.#access);
    }
    // registryError tells a refused login (401/403) from a registry that is down by this status.
    const answer = { status, message: 'unexpected answer' };
    if (status !== 200) throw registryError(answer, 'answering a readiness check', this.#access);
  }

  async close(): Promise<void> {
    await this.#pingAgent?.close();
  }

  async encode<T>(schemaId: number, _contract: AvroContract<T>, value: T): Promise<Buffer> {
    try {
      return await this.#registry.encode(schemaId, value);
    } catch (error) {
      if ((error as Error).name === 'ConfluentSchemaRegistryValidationError') {
        throw new SyncError(
          'EVENT_INVALID',
          `value does not match schema ${schemaId}: ${(error as Error).message}`,
        );
      }
      throw registryError(error, `encoding with schema ${schemaId}`, this.#access);
    }
  }

  async decode<T>(bytes: Buffer | null, contract: AvroContract<T>): Promise<T> {
    if (!bytes || bytes.length < HEADER_BYTES || bytes[0] !== MAGIC_BYTE) {
      throw new SyncError(
        'EVENT_UNDECODABLE',
        `value is not Confluent-framed Avro: expected magic byte 0 and a 4-byte schema id, got ${describeBytes(bytes)}`,
      );
    }
    const schemaId = bytes.readUInt32BE(1);
    const writer = await this.#writerType(schemaId);
    const resolver = this.#resolverFor(schemaId, writer, contract);
    try {
      const body = bytes.subarray(HEADER_BYTES);
      return (
        resolver === 'same' ? contract.type.fromBuffer(body) : contract.type.fromBuffer(body, resolver)
      ) as T;
    } catch (error) {
      throw new SyncError(
        'EVENT_UNDECODABLE',
        `Avro body does not decode with schema ${schemaId}: ${(error as Error).message}`,
      );
    }
  }

  async #writerType(schemaId: number): Promise<avro.Type> {
    try {
      return (await this.#registry.getSchema(schemaId)) as unknown as avro.Type;
    } catch (error) {
      if ((error as { status?: number }).status === 404) {
        throw new SyncError(
          'EVENT_SCHEMA_UNKNOWN',
          `schema id ${schemaId} is unknown to the schema registry`,
          {
            details: { schema_id: schemaId },
          },
        );
      }
      throw registryError(error, `fetching schema ${schemaId}`, this.#access);
    }
  }

  #resolverFor(
    schemaId: number,
    writer: avro.Type,
    contract: AvroContract<unknown>,
  ): ReturnType<avro.Type['createResolver']> | 'same' {
    const cacheKey = `${schemaId}:${contract.type.name ?? ''}`;
    let resolver = this.#resolvers.get(cacheKey);
    if (!resolver) {
      try {
        resolver = writer.equals(contract.type) ? 'same' : contract.type.createResolver(writer);
      } catch (error) {
        throw new SyncError(
          'EVENT_INVALID',
          `schema ${schemaId} (${writer.name ?? 'anonymous'}) cannot be read as ${contract.type.name}: ${(error as Error).message}`,
          { details: { schema_id: schemaId } },
        );
      }
      this.#resolvers.set(cacheKey, resolver);
    }
    return resolver;
  }
}

function basicAuthorization({ username, password }: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

function describeBytes(bytes: Buffer | null): string {
  if (!bytes) return 'a null value';
  const head = bytes.subarray(0, 8).toString('hex');
  return `${bytes.length} bytes starting 0x${head}`;
}

const MAX_REGISTER_ATTEMPTS = 3;

/** Apicurio's answer to the second of two instances setting a new subject's compatibility at once. */
function lostCompatibilityRace(error: unknown): boolean {
  const { status, message } = error as { status?: number; message?: string };
  return status === 409 && /already exists/i.test(message ?? '');
}
