// The TLS listeners of a dedicated broker (dedicated-broker.ts `secure`): a CA and broker
// certificate made in the broker's folder at start, a SASL_SSL listener with SCRAM users, and
// optionally an SSL listener that requires a client certificate (mutual TLS).
import { join } from 'node:path';
import type { ScramUser, SecureListeners } from './kafka-node.ts';
import { makeTlsMaterial, type TlsMaterial } from './tls-material.ts';

/** Where to reach the TLS listeners of a broker started with `secure`, and what to trust. */
export interface SecureEndpoints {
  /** `host:port` of the SASL_SSL listener. */
  saslSslBrokers: string;
  /** `host:port` of the SSL listener requiring a client certificate, when asked for. */
  mtlsBrokers: string | undefined;
  /** CA, broker certificate and (with mtls) client certificate files. */
  tls: TlsMaterial;
}

export function secureListeners(
  host: string,
  dir: string,
  saslSslPort: number,
  mtlsPort: number | undefined,
  scramUsers: ScramUser[] = [],
): { listeners: SecureListeners; endpoints: SecureEndpoints } {
  const tls = makeTlsMaterial(join(dir, 'tls'), {
    client: mtlsPort !== undefined,
    caName: 'dedicated broker CA',
  });
  const keystore = { file: tls.keystoreFile, password: tls.keystorePassword };
  return {
    listeners: {
      keystore,
      saslSslPort,
      scramUsers,
      ...(mtlsPort === undefined ? {} : { mtls: { port: mtlsPort, caFile: tls.caFile } }),
    },
    endpoints: {
      saslSslBrokers: `${host}:${saslSslPort}`,
      mtlsBrokers: mtlsPort === undefined ? undefined : `${host}:${mtlsPort}`,
      tls,
    },
  };
}
