/**
 * What every route and service of one server node shares: the resolved configuration, the issuer
 * (from configuration, never from the Host header), the store, the caches, the registry, the
 * metrics, the rate limiter and the logger. Built once, at start-up, by startServer (main.ts); no
 * service creates per-node state of its own on first use.
 */
import type { Logger } from 'pino';
import type { KeywardConfig } from '../config/defaults.ts';
import type { Store } from '../store/contract.ts';
import type { AuditWriter } from './services/audit-writer.ts';
import type { ClientCache } from './services/client-cache.ts';
import type { ServerJwksUriKeys } from './services/jwks-uri/server-jwks-uri-keys.ts';
import type { KeywardMetrics } from './services/metrics/create-metrics.ts';
import type { TokenRateLimiter } from './services/rate-limit/create-token-rate-limiter.ts';
import type { RegistryContext } from './services/registry/registry-context.ts';
import type { SignInPort } from './services/sign-in/sign-in-port.ts';
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
  /**
   * THE write path for clients, keys and initial access tokens of this node, on its clock; its
   * changes drop the node's cached copies at once.
   */
  readonly registry: RegistryContext;
  /** The keys of jwks_uri clients, fetched and cached for this node. */
  readonly jwksUriKeys: ServerJwksUriKeys;
  /** This node's metrics (a worker shares them with the main process for GET /metrics). */
  readonly metrics: KeywardMetrics;
  /** The token endpoint's limits (per source address and per client); a no-op when disabled. */
  readonly rateLimiter: TokenRateLimiter;
  readonly counters: ServerCounters;
  /** Current time in epoch seconds (injected so tests can move the clock). */
  now(): number;
  /** The link to the main process when this node is a worker of `keyward serve --workers N`. */
  readonly workerLink?: WorkerLink;
  /** End users and their sessions, for the authorization endpoint; absent: /authorize answers sign_in_unavailable. */
  readonly signIn?: SignInPort;
}
