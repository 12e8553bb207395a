/**
 * What every route and service of one server node shares: the resolved configuration, the issuer
 * (from configuration, never from the Host header), the store, the caches and the logger.
 */
import type { Logger } from 'pino';
import type { KeywardConfig } from '../config/defaults.ts';
import type { Store } from '../store/contract.ts';
import type { AuditWriter } from './services/audit-writer.ts';
import type { ClientCache } from './services/client-cache.ts';
import type { SigningKeyService } from './services/signing-keys.ts';
import type { WorkerLink } from './workers/worker-link.ts';

/** Counters of one server node (also logged). */
export interface ServerCounters {
  tokensIssued: number;
  tokensRefused: number;
  /** RFC 7523 legacy audience acceptances (token endpoint as aud, or an array): clients to migrate. */
  legacyAudience: number;
}

/** The shared state of one server node. */
export interface ServerContext {
  readonly config: KeywardConfig;
  /** The issuer identifier (RFC 8414 §2), without a trailing slash. */
  readonly issuer: string;
  /** `<issuer>/token`. */
  readonly tokenEndpoint: string;
  readonly store: Store;
  readonly logger: Logger;
  readonly clients: ClientCache;
  readonly signingKeys: SigningKeyService;
  readonly audit: AuditWriter;
  readonly counters: ServerCounters;
  /** Current time in epoch seconds (injected so tests can move the clock). */
  now(): number;
  /** The link to the main process when this node is a worker of `keyward serve --workers N`. */
  readonly workerLink?: WorkerLink;
}
