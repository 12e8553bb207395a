/**
 * Starts a server node: opens the store, loads (or creates) the signing key, listens, and runs the
 * periodic maintenance (purge of expired replay reservations and token records, signing-key
 * refresh). Used by `keyward serve` and by the tests.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Logger } from 'pino';
import type { KeywardConfig } from '../config/defaults.ts';
import { resolveIssuer } from '../config/resolve-issuer.ts';
import type { Store } from '../store/contract.ts';
import { buildApp } from './build-app.ts';
import { epochSeconds, systemClock, type Clock } from './clock.ts';
import { openConfiguredStore } from './open-configured-store.ts';
import type { ServerContext } from './context.ts';
import { limitConnections } from './limit-connections.ts';
import { createLogger } from './logger.ts';
import { createAuditWriter } from './services/audit-writer.ts';
import { toAlertView } from './services/alerts/alert-wire.ts';
import { createAlertMonitor } from './services/alerts/create-alert-monitor.ts';
import { createClientCache } from './services/client-cache.ts';
import { createServerJwksUriKeys } from './services/jwks-uri/server-jwks-uri-keys.ts';
import type { ChangeFeed } from './services/change-feed/change-feed.ts';
import { openServerChangeFeed } from './services/change-feed/open-server-change-feed.ts';
import { subscribeCaches } from './services/change-feed/subscribe-caches.ts';
import { createMetrics } from './services/metrics/create-metrics.ts';
import { createTokenRateLimiter } from './services/rate-limit/create-token-rate-limiter.ts';
import { createRegistryContext } from './services/registry/registry-context.ts';
import { createSignInService } from './services/sign-in/create-sign-in-service.ts';
import { createSignInThrottle } from './services/sign-in/sign-in-throttle.ts';
import { loadSigningKeys } from './services/signing-keys.ts';
import { resolveKeyEncryption } from './services/key-encryption/index.ts';
import type { SignInPort } from './services/sign-in/sign-in-port.ts';
import type { WorkerLink } from './workers/worker-link.ts';

/**
 * The listen backlog asked of the kernel (which caps it at `net.core.somaxconn`, 4096 by default on
 * Linux 5.4 and later).
 *
 * Why silent connections outlived the request timeout under a flood: node
 * enforces headersTimeout/requestTimeout with a timer (connectionsCheckingInterval) that walks the
 * list of connections the process has ACCEPTED, and every accepted connection was closed on time
 * (measured: 15,000 idle sockets, each answered 408 within requestTimeout + 1 s, in one process
 * and with workers). The connections that stayed open had never been accepted. Node listens with a
 * backlog of 511 by default; a burst of connects overflows that queue, the kernel completes their
 * handshake with SYN cookies (dmesg: "Possible SYN flooding ... Sending cookies"), so the client
 * holds an open connection, but drops it while the accept queue is full. The server process never
 * sees such a connection, so no timeout of ours can close it; the client learns only when it sends
 * enough to time out. A 3,000-socket burst lost about 490 of them this way with 511, none with this.
 * The remedy is a deep queue (this) plus a cap on what a process holds (`server.maxConnections`,
 * limit-connections.ts), so that a flood is accepted and closed quickly instead of left in the
 * kernel. In `serve --workers N` the main process listens with the backlog the workers ask for.
 */
export const LISTEN_BACKLOG = 65535;

/** A running server node. */
export interface RunningServer {
  /** The base URL the server listens on (http://host:port). */
  readonly url: string;
  /** The issuer identifier (from configuration, else the listening URL). */
  readonly issuer: string;
  readonly context: ServerContext;
  /**
   * Shuts down: drains for `server.shutdownDrain` seconds (skipped with `drain: false`), stops
   * accepting, gives requests under way `server.shutdownGrace` seconds, writes the queued audit
   * events and closes the store.
   */
  close(options?: { drain?: boolean }): Promise<void>;
}

/** Options of {@link startServer}. */
export interface StartServerOptions {
  /** Use this store instead of opening one from the configuration (it is closed on close()). */
  readonly store?: Store;
  readonly logger?: Logger;
  /** The node's clock, in epoch milliseconds (tests); default the system clock. */
  readonly clock?: Clock;
  /** Set in a worker process of `keyward serve --workers N` (workers/worker-process.ts). */
  readonly workerLink?: WorkerLink;
  /**
   * Stands in for the SignInPort part of the node's sign-in (tests of the authorization protocol
   * that set sessions directly); the sign-in pages keep the real service.
   */
  readonly signIn?: SignInPort;
}

/** The SignInPort members of `port`, bound to it. */
function portOf(port: SignInPort): SignInPort {
  return { current: (request) => port.current(request), signInUrl: (returnTo) => port.signInUrl(returnTo), end: (sessionId) => port.end(sessionId), claims: (sub) => port.claims(sub) };
}

/** Answer of a node whose port is bound but whose store and keys are still loading (a few ms). */
function startingResponse(): Response {
  return Response.json({ error: 'temporarily_unavailable', error_description: 'the server is starting; retry in a moment' }, { status: 503, headers: { 'cache-control': 'no-store', 'retry-after': '1' } });
}

/** Binds `server` to the configured port; a busy or forbidden port is one clear error. */
function listen(server: Server, config: KeywardConfig): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new Error(`port ${config.server.port} on ${config.server.host} is already in use: stop the other process, or choose another port with --port or KEYWARD_PORT`));
      else if (error.code === 'EACCES') reject(new Error(`not allowed to listen on port ${config.server.port}: choose a port above 1023 with --port or KEYWARD_PORT`));
      else reject(error);
    });
    server.listen({ port: config.server.port, host: config.server.host, backlog: LISTEN_BACKLOG }, () => {
      server.removeAllListeners('error');
      resolve();
    });
  });
}

/**
 * Starts a server node with `config`. The port is bound first, so a busy port fails at once, before
 * the store is opened or a data directory created; requests arriving in the few milliseconds until
 * the store and keys are loaded are answered 503 with Retry-After.
 */
export async function startServer(config: KeywardConfig, options: StartServerOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config);
  const clock = options.clock ?? systemClock;
  const holder: { app?: ReturnType<typeof buildApp> } = {};
  const listener = getRequestListener((request, env) => (holder.app === undefined ? startingResponse() : holder.app.fetch(request, env)));
  const httpServer = createServer({ requestTimeout: config.server.requestTimeout * 1000, headersTimeout: Math.min(config.server.requestTimeout * 1000, 60_000), keepAliveTimeout: 5000, connectionsCheckingInterval: 1000 }, listener);
  limitConnections(httpServer, config.server.maxConnections);
  await listen(httpServer, config);
  httpServer.on('error', (error) => logger.error({ err: error }, 'HTTP server error'));
  let store: Store | undefined;
  let changes: ChangeFeed | undefined;
  try {
    store = options.store ?? (await openConfiguredStore(config, { serving: true, onWarning: (message) => logger.warn(message) }));
    const signingKeys = await loadSigningKeys(store.signingKeys, {
      alg: config.tokens.signingAlg, refreshSeconds: config.tokens.signingKeyRefresh, clock,
      encryption: resolveKeyEncryption(config), onWarning: (message) => logger.warn(message),
    });
    const address = httpServer.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `http://${host}:${address.port}`;
    const issuer = resolveIssuer(config, address.port);
    const clients = createClientCache(store.clients, { ttlSeconds: config.clients.cacheTtl, logger, clock });
    // THE change feed of this node: a change made through this node (admin API, dynamic
    // registration) drops its cached copies at once and reaches the other processes over the
    // feed's transport (Redis, worker IPC); theirs, and the local CLI's, arrive the same way.
    // Opened now: a node configured for Redis that cannot reach it does not start.
    // A store passed in by the caller may have nothing to do with the configured data directory.
    changes = await openServerChangeFeed(config, {
      logger, ownsDataDir: options.workerLink === undefined && options.store === undefined,
      ...(options.workerLink ? { workerLink: options.workerLink } : {}),
    });
    subscribeCaches(changes, { clients, signingKeys, logger });
    const registry = createRegistryContext(store, { clock, changes });
    const metrics = createMetrics({ clientIdLabel: config.metrics.clientIdLabel });
    // A worker of `serve --workers N`: GET /metrics on any worker shows the sum of all workers.
    options.workerLink?.shareMetrics(metrics.registry);
    const alerts = createAlertMonitor({ config, issuer, store, logger, metrics, clock, signingKeys, toWire: toAlertView });
    const audit = createAuditWriter(store.audit, logger, { onFailure: () => metrics.recordAuditWriteFailures(1), onWritten: (events) => alerts.observe(events) });
    const redisOptions = { ...(config.storage.redisUrl ? { redisUrl: config.storage.redisUrl } : {}), keyPrefix: config.storage.keyPrefix };
    const signInService = createSignInService({ store, config, issuer, clock, throttle: createSignInThrottle(config.signIn, redisOptions) });
    const signIn = options.signIn === undefined ? signInService : { ...signInService, ...portOf(options.signIn) };
    const context: ServerContext = {
      config,
      issuer,
      tokenEndpoint: `${issuer}/token`,
      store,
      logger,
      clients,
      signingKeys,
      audit,
      alerts,
      registry,
      changes,
      jwksUriKeys: createServerJwksUriKeys({ config, clock, logger, audit }),
      metrics,
      // Created now, so its Redis connection is ready before the first request.
      rateLimiter: createTokenRateLimiter(config.rateLimit, { ...(config.storage.redisUrl ? { redisUrl: config.storage.redisUrl } : {}), keyPrefix: config.storage.keyPrefix }),
      counters: { tokensIssued: 0, tokensRefused: 0, legacyAudience: 0 },
      signIn,
      clock,
      lifecycle: { draining: false, stopping: false },
      ...(options.workerLink ? { workerLink: options.workerLink } : {}),
    };
    holder.app = buildApp(context);
    alerts.start();

    const maintenance = setInterval(() => {
      void runMaintenance(context).catch((error: unknown) => {
        // Maintenance is storage work only (purges, signing-key reads).
        context.metrics.recordStoreError('maintenance');
        logger.warn({ err: error }, 'maintenance failed');
      });
    }, config.maintenance.purgeInterval * 1000);
    maintenance.unref();

    let closing: Promise<void> | undefined;
    const openStore = store;
    return {
      url,
      issuer,
      context,
      close(closeOptions = {}) {
        closing ??= (async () => {
          // 1. Drain: /ready says 503 and answers close their connections, while requests are served.
          context.lifecycle.draining = true;
          const drainMs = closeOptions.drain === false ? 0 : config.server.shutdownDrain * 1000;
          if (drainMs > 0) {
            logger.info({ seconds: config.server.shutdownDrain }, 'draining: /ready answers 503 before the node stops accepting');
            await new Promise((resolve) => setTimeout(resolve, drainMs));
          }
          // 2. Stop accepting; requests under way get server.shutdownGrace to finish.
          context.lifecycle.stopping = true;
          clearInterval(maintenance);
          await new Promise<void>((resolve) => {
            httpServer.close(() => resolve());
            httpServer.closeIdleConnections();
            setTimeout(() => httpServer.closeAllConnections(), config.server.shutdownGrace * 1000).unref();
          });
          await context.changes.close();
          await context.rateLimiter.close();
          await context.signIn.throttle.close();
          await context.audit.flush();
          await context.alerts.close();
          await openStore.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    httpServer.close();
    await changes?.close().catch(() => undefined);
    if (options.store === undefined) await store?.close().catch(() => undefined);
    throw error;
  }
}

/** Audit events deleted per statement, and at most per maintenance pass, past `audit.retention`. */
const AUDIT_PURGE_BATCH = 10_000;
const AUDIT_PURGE_MAX_PER_PASS = 100_000;

/**
 * One maintenance pass: purge expired replay reservations, token records, sign-in sessions and
 * passkey enrolment links, and audit events past `audit.retention` (in batches, at most
 * AUDIT_PURGE_MAX_PER_PASS, so a first purge of a large backlog spreads over several passes);
 * refresh signing keys.
 */
export async function runMaintenance(ctx: ServerContext): Promise<{ replay: number; tokens: number; sessions: number; audit: number }> {
  const now = epochSeconds(ctx.clock);
  // RFC 7523 §3 (7): reservations are only needed until the assertion expires.
  const replay = await ctx.store.replay.purgeExpired(now);
  const tokens = await ctx.store.tokens.purgeExpiredTokens(now);
  const sessions = await ctx.store.signInSessions.purgeExpiredSessions(new Date(ctx.clock()));
  await ctx.store.users.purgeExpiredPasskeyEnrolments(new Date(ctx.clock()));
  let audit = 0;
  const retentionDays = ctx.config.audit.retention;
  if (retentionDays > 0) {
    const cutoff = new Date((now - retentionDays * 86_400) * 1000);
    for (let purged = AUDIT_PURGE_BATCH; purged === AUDIT_PURGE_BATCH && audit < AUDIT_PURGE_MAX_PER_PASS;) {
      purged = await ctx.store.audit.purgeAuditBefore(cutoff, AUDIT_PURGE_BATCH);
      audit += purged;
    }
  }
  // Pending requests, codes and refresh tokens past their lifetime (codes kept a day to recognise reuse).
  await ctx.store.authorizations.purgeExpired(now);
  await ctx.signingKeys.refresh();
  return { replay, tokens, sessions, audit };
}
