import { z } from 'zod';
import { defineVars } from './define-vars.ts';
import { bool, csv, int, name, text, url } from './value-schemas.ts';

export const KAFKA_VARS = defineVars('Kafka', {
  KAFKA_BROKERS: {
    default: '127.0.0.1:9092',
    doc: 'Comma-separated Kafka bootstrap brokers (host:port).',
    schema: csv.pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'expected host:port')).min(1)),
  },
  KAFKA_CLIENT_ID: {
    default: 'invoice-finance-sync',
    doc: 'Kafka client id, shown in broker logs and quotas.',
    schema: name,
  },
  // 10 s, not kafkajs's 30 s: a crashed member keeps its partitions (and stalls a rebalance) until its
  // session expires, measured in RELIABILITY.md. Slow pushes do not risk it: the batch processor
  // heartbeats while they are in flight (tulios/kafkajs#1396).
  KAFKA_SESSION_TIMEOUT_MS: {
    default: '10000',
    doc: 'Consumer group session timeout (ms): how long a crashed member keeps its partitions before the group moves them.',
    schema: int(6_000, 300_000),
  },
  KAFKA_HEARTBEAT_INTERVAL_MS: {
    default: '1000',
    doc: 'Consumer heartbeat interval (ms); must be below a third of the session timeout.',
    schema: int(100, 100_000),
  },
  KAFKA_REBALANCE_TIMEOUT_MS: {
    default: '60000',
    doc: 'How long the group waits for members to finish in-flight work when it rebalances (ms).',
    schema: int(6_000, 600_000),
  },
  KAFKA_CREATE_TOPICS: {
    default: 'true',
    doc: 'Create missing topics at start (input, output and both dead-letter topics).',
    schema: bool,
  },
  KAFKA_TOPIC_PARTITIONS: {
    default: '6',
    doc: 'Partitions of topics created at start; the unit of parallelism and scaling.',
    schema: int(1, 10_000),
  },
  KAFKA_TOPIC_REPLICATION: {
    default: '1',
    doc: 'Replication factor of topics created at start (3 in production clusters).',
    schema: int(1, 10),
  },
  KAFKA_FETCH_MAX_BYTES: {
    default: '10485760',
    doc: 'Most bytes one fetch response may carry (kafkajs maxBytes); with the in-flight bounds it caps memory on a backlog.',
    schema: int(1_024, 1_073_741_824),
  },
  KAFKA_FETCH_MAX_BYTES_PER_PARTITION: {
    default: '1048576',
    doc: 'Most bytes of one partition in a fetch response (kafkajs maxBytesPerPartition); at least the largest record.',
    schema: int(1_024, 1_073_741_824),
  },
  KAFKA_READ_GROUP_PREFIX: {
    default: 'invoice-finance-sync',
    doc: 'Prefix of the short-lived consumer groups that one-shot reads (replay, dlq, console searches) join and delete after; grant ACLs on it.',
    schema: name,
  },
});

export const KAFKA_SECURITY_VARS = defineVars('Kafka TLS and SASL', {
  KAFKA_SSL: {
    default: 'false',
    doc: 'Connect to the brokers over TLS (their SASL_SSL or SSL listener).',
    schema: bool,
  },
  KAFKA_SSL_CA_FILE: {
    default: '',
    doc: 'PEM file of the CA that signed the brokers’ certificates; without it the system CAs are trusted.',
    schema: text,
  },
  KAFKA_SSL_CERT_FILE: {
    default: '',
    doc: 'PEM client certificate for mutual TLS (with KAFKA_SSL_KEY_FILE).',
    schema: text,
  },
  KAFKA_SSL_KEY_FILE: {
    default: '',
    doc: 'PEM private key (unencrypted) of KAFKA_SSL_CERT_FILE.',
    schema: text,
  },
  KAFKA_SASL_MECHANISM: {
    default: '',
    doc: 'SASL login to the brokers: plain, scram-sha-256 or scram-sha-512 (unset: none).',
    schema: z.enum(['', 'plain', 'scram-sha-256', 'scram-sha-512']),
  },
  KAFKA_SASL_USERNAME: {
    default: '',
    doc: 'SASL user name (with KAFKA_SASL_MECHANISM).',
    schema: text,
  },
  KAFKA_SASL_PASSWORD: { default: '', doc: 'SASL password; never logged.', schema: text },
  KAFKA_SASL_PASSWORD_FILE: {
    default: '',
    doc: 'File holding the SASL password (takes precedence over KAFKA_SASL_PASSWORD).',
    schema: text,
  },
});

export const SCHEMA_REGISTRY_VARS = defineVars('Schema registry', {
  SCHEMA_REGISTRY_URL: {
    default: 'http://127.0.0.1:8081/apis/ccompat/v7',
    doc: 'Confluent-API schema registry base URL.',
    schema: url,
  },
  SCHEMA_REGISTRY_USERNAME: {
    default: '',
    doc: 'Registry basic-auth user (e.g. a Confluent Cloud API key).',
    schema: text,
  },
  SCHEMA_REGISTRY_PASSWORD: {
    default: '',
    doc: 'Registry basic-auth password (e.g. the API secret); never logged.',
    schema: text,
  },
  SCHEMA_REGISTRY_PASSWORD_FILE: {
    default: '',
    doc: 'File holding the registry password (takes precedence over SCHEMA_REGISTRY_PASSWORD).',
    schema: text,
  },
  SCHEMA_REGISTRY_CA_FILE: {
    default: '',
    doc: 'PEM file of the CA that signed an https registry’s certificate.',
    schema: text,
  },
  REGISTER_SCHEMAS_ON_START: {
    default: 'true',
    doc: 'Register schemas/*.avsc (BACKWARD) at start.',
    schema: bool,
  },
});
