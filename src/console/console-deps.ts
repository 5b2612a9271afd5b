import type { AuditReport } from '../audit/audit-runs.ts';
import type { Logger } from '../ops/logger.ts';
import type { RecentPushes } from '../push/recent-pushes.ts';
import type { TenantControl } from '../push/tenant-control.ts';
import type { Actor, ConsoleAuth, Credentials } from './console-auth.ts';
import type { DeadLetterDesk } from './dead-letter-desk.ts';
import type { InvoiceHistory } from './invoice-history.ts';
import type { LagHistory } from './lag-history.ts';
import type { PageContext } from './layout.ts';
import type { ServiceStatus } from './overview-view.ts';
import type { ReplayJobs } from './replay-jobs.ts';

/** Everything the console reads and acts on, wired by console.ts. */
export interface ConsoleDeps {
  status(): Promise<ServiceStatus>;
  inFlight(): Promise<Record<string, number>>;
  outcomes(): Promise<Record<string, Record<string, number>>>;
  lag: LagHistory;
  lagIntervalMs: number;
  pushes: RecentPushes;
  pushCapacity: number;
  deadLetters: DeadLetterDesk;
  invoiceHistory(key: string): Promise<InvoiceHistory>;
  replay: ReplayJobs;
  /** Which tenants are paused, in progress or waiting; pausing and resuming one. */
  tenants: Pick<TenantControl, 'rows' | 'pause' | 'resume'>;
  /** The last audit run kept in the database, if any. */
  lastAudit(): Promise<AuditReport | undefined>;
  replayTopic: string;
  topics: { pushed: string; deadLetter: string };
  auth: ConsoleAuth;
  limits: {
    /** Reads of a topic (lookups, previews, dead letters) served at once; more get 429. */
    readConcurrency: number;
    /** Sign-in attempts one address may make per minute; more get 429. */
    signInsPerMinute: number;
  };
  /** Where reads, actions and refusals are logged, with who and what. */
  audit: Logger;
  /** Removes any secret from a page before it is sent. */
  scrub(page: string): string;
  now(): number;
}

export interface RouteRequest {
  params: string[];
  query: URLSearchParams;
  /** The url-encoded body of a POST. */
  form: URLSearchParams;
  credentials: Credentials;
  /** The path and query asked for, as sent. */
  url: string;
  /** Who was let in (undefined only on the open routes: sign-in and the stylesheet). */
  actor: Actor | undefined;
  /** The client's address: the peer, or what a trusted proxy says it is (OPS_TRUSTED_PROXIES). */
  remote: string;
  context: PageContext;
}
