/**
 * What every route and service of one server node shares: the resolved configuration, the issuer
 * (from configuration, never from the Host header), the store, the caches, the registry, the
 * metrics, the rate limiter and the logger. Built once, at start-up, by startServer (main.ts); no
 * service creates per-node state of its own on first use.
 */
import type { Logger } from 'pino';
import type { KeywardConfig } from '../config/defaults.ts';
import type { Clock } from './clock.ts';
import type { Store } from '../store/contract.ts';
import type { AuditWriter } from './services/audit-writer.ts';
import type { AlertMonitor } from './services/alerts/create-alert-monitor.ts';
import type { ChangeFeed } from './services/change-feed/change-feed.ts';
import type { ClientCache } from './services/client-cache.ts';
import type { ServerJwksUriKeys } from './services/jwks-uri/server-jwks-uri-keys.ts';
import type { KeywardMetrics } from './services/metrics/create-metrics.ts';
import type { TokenRateLimiter } from './services/rate-limit/create-token-rate-limiter.ts';
import type { RegistryContext } from './services/registry/registry-context.ts';
import type { SignInService } from './services/sign-in/create-sign-in-service.ts';
import type { SigningKeyService } from './services/signing-keys.ts';
import type { WorkerLink } from './workers/worker-link.ts';

/** Counters of one server node (also logged). */
export interface ServerCounters {
  tokensIssued: number;
  tokensRefused: number;
  /** RFC 7523 legacy audience acceptances (token endpoint as aud, or an array): clients to migrate. */
  legacyAudience: number;
}

/** Where a node is in its life: set by close() (main.ts), read by /ready and the routes. */
export interface ServerLifecycle {
  /** Shutting down: /ready answers 503 and answers close their connection; requests are still served. */
  draining: boolean;
  /** No longer accepting; connections still open are closed when server.shutdownGrace ends. */
  stopping: boolean;
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
  /** The anomaly detector: reads the audit stream and the registered keys, raises alerts (docs/alerts.md). */
  readonly alerts: AlertMonitor;
  /**
   * THE write path for clients, keys and initial access tokens of this node, on its clock; it
   * publishes every change on `changes`.
   */
  readonly registry: RegistryContext;
  /**
   * THE change feed of this node: the registry publishes on it, the client cache and the signing
   * keys subscribe to it; its transport (Redis, worker IPC or the data directory's socket) links
   * it to the other processes of the issuer.
   */
  readonly changes: ChangeFeed;
  /** The keys of jwks_uri clients, fetched and cached for this node. */
  readonly jwksUriKeys: ServerJwksUriKeys;
  /** This node's metrics (a worker shares them with the main process for GET /metrics). */
  readonly metrics: KeywardMetrics;
  /** The token endpoint's limits (per source address and per client); a no-op when disabled. */
  readonly rateLimiter: TokenRateLimiter;
  readonly counters: ServerCounters;
  /**
   * End-user sign-in: the SignInPort of the authorization endpoint (sessions held in the store),
   * plus the sign-in pages' cookies and failure throttle.
   */
  readonly signIn: SignInService;
  /** This node's clock, in epoch milliseconds (injected so tests can move the time). */
  readonly clock: Clock;
  /** Draining and stopping on shutdown. */
  readonly lifecycle: ServerLifecycle;
  /** The link to the main process when this node is a worker of `keyward serve --workers N`. */
  readonly workerLink?: WorkerLink;
}
