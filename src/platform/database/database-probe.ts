import { pingProbe, type TimedProbe } from '../readiness-probe.ts';
import type { Database } from './database.ts';

/**
 * PostgreSQL's part of /readyz: `select 1` answered within 2 s. A database that answered before and
 * is now only slow (a checkpoint, a vacuum, a starved machine) stays ready for a while; one that
 * refuses, rejects the login or stays silent longer is down. Checks share the ping under way, so a
 * hung database holds one pooled connection for the probe, not one per check.
 */
export function databaseProbe(database: Pick<Database, 'ping'>, silenceToleratedMs?: number): TimedProbe {
  return pingProbe('PostgreSQL', () => database.ping(), { silenceToleratedMs });
}
