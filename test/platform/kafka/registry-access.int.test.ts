import { readFileSync } from 'node:fs';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import type { RegistryConfig } from '../../../src/config/connection-config.ts';
import { AvroCodec } from '../../../src/platform/registry/avro-codec.ts';
import { loadContracts, registerContracts } from '../../../src/platform/registry/contracts.ts';
import { rejectionOf } from '../../helpers/caught-error.ts';
import { authenticatedRegistryForTest } from '../../helpers/registry-gateway.ts';
import { smallInvoice } from '../../helpers/service.ts';
import { uniqueSuffix } from '../../helpers/test-config.ts';
import { tlsMaterialForTest } from '../../helpers/tls.ts';

const USER = 'schema-key';
const PASSWORD = 'registry-secret-never-shown';

/** The real registry behind HTTPS with a private CA and basic auth, and a codec configured for it. */
async function securedRegistry(access: Partial<RegistryConfig> = {}) {
  const tls = await tlsMaterialForTest({ caName: 'registry CA' });
  const gateway = await authenticatedRegistryForTest({
    upstream: inject('schemaRegistryUrl'),
    tls,
    username: USER,
    password: PASSWORD,
  });
  const config: RegistryConfig = {
    url: gateway.url,
    auth: { username: USER, password: PASSWORD },
    ca: readFileSync(tls.caFile, 'utf8'),
    ...access,
  };
  const codec = new AvroCodec(config);
  onTestFinished(() => codec.close());
  return { gateway, codec, config };
}

describe('schema registry behind HTTPS and basic auth', () => {
  const contracts = loadContracts();
  const topics = () => {
    const s = uniqueSuffix();
    return { linesIngested: `reg-${s}.lines`, pushedToFinance: `reg-${s}.pushed` };
  };

  it('registers, encodes, decodes and answers readiness with SCHEMA_REGISTRY_USERNAME/PASSWORD and its CA', async () => {
    const { codec, gateway, config } = await securedRegistry();
    const ids = await registerContracts(codec, contracts, topics());
    const event = smallInvoice('INV-REGISTRY-AUTH');
    const bytes = await codec.encode(ids.linesIngested, contracts.linesIngested, event);
    // A second codec has no schema cached: decoding fetches the writer schema through the gateway.
    const fresh = new AvroCodec(config);
    onTestFinished(() => fresh.close());
    expect(await fresh.decode(bytes, contracts.linesIngested)).toEqual(event);
    await expect(codec.ping()).resolves.toBeUndefined();
    expect(gateway.refused).toBe(0);
  });

  it('says the registry refused the user and names the variables to check, never the password', async () => {
    const { codec } = await securedRegistry({ auth: { username: USER, password: 'wrong' } });
    const error = await rejectionOf(registerContracts(codec, contracts, topics()));
    expect([error.code, error.failureClass]).toEqual(['CREDENTIALS_REFUSED', 'systemic']);
    expect(error.message).toMatch(
      /^schema registry answered HTTP 401 while registering reg-\w+\.lines-value; it refused user "schema-key": check SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD \(or SCHEMA_REGISTRY_PASSWORD_FILE\)$/,
    );
    const ping = await rejectionOf(codec.ping());
    expect(ping.code).toBe('CREDENTIALS_REFUSED');
    expect(`${error.message} ${ping.message}`).not.toContain('wrong');
  });

  it('says the registry’s certificate was refused and names SCHEMA_REGISTRY_CA_FILE when its CA is not given', async () => {
    const { codec } = await securedRegistry({ ca: undefined });
    const error = await rejectionOf(registerContracts(codec, contracts, topics()));
    expect([error.code, error.failureClass]).toEqual(['TLS_HANDSHAKE_FAILED', 'systemic']);
    expect(error.message).toBe(
      'TLS handshake with the schema registry: its certificate was refused, it is not signed by a CA we trust (UNABLE_TO_VERIFY_LEAF_SIGNATURE); set SCHEMA_REGISTRY_CA_FILE to the PEM certificate of the CA that signed it',
    );
    expect((await rejectionOf(codec.ping())).code).toBe('TLS_HANDSHAKE_FAILED');
  });
});
