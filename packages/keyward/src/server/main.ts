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
import { openConfiguredStore } from './open-configured-store.ts';
import type { ServerContext } from './context.ts';
import { limitConnections } from './limit-connections.ts';
import { createLogger } from './logger.ts';
import { createAuditWriter } from './services/audit-writer.ts';
import { createClientCache } from './services/client-cache.ts';
import { createServerJwksUriKeys } from './services/jwks-uri/server-jwks-uri-keys.ts';
import { listenForLocalAnnouncements } from './services/cluster/local-announcements.ts';
import { startClusterSync } from './services/cluster/start-cluster-sync.ts';
import { createMetrics } from './services/metrics/create-metrics.ts';
import { createTokenRateLimiter } from './services/rate-limit/create-token-rate-limiter.ts';
import { createRegistryContext } from './services/registry/registry-context.ts';
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
  /** Stops accepting connections, writes the queued audit events and closes the store. */
  close(): Promise<void>;
}

/** Options of {@link startServer}. */
export interface StartServerOptions {
  /** Use this store instead of opening one from the configuration (it is closed on close()). */
  readonly store?: Store;
  readonly logger?: Logger;
  /** Clock in epoch seconds (tests). */
  readonly now?: () => number;
  /** Set in a worker process of `keyward serve --workers N` (workers/worker-process.ts). */
  readonly workerLink?: WorkerLink;
  /** End-user sign-in for the authorization endpoint (services/sign-in/sign-in-port.ts). */
  readonly signIn?: SignInPort;
}

/** Starts a server node with `config`. */
export async function startServer(config: KeywardConfig, options: StartServerOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config);
  const store = options.store ?? (await openConfiguredStore(config, { serving: true, onWarning: (message) => logger.warn(message) }));
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const nowMs = () => now() * 1000 + (Date.now() % 1000);
  let server: Server | undefined;
  try {
    const signingKeys = await loadSigningKeys(store.signingKeys, {
      alg: config.tokens.signingAlg, refreshSeconds: config.tokens.signingKeyRefresh, nowMs,
      encryption: resolveKeyEncryption(config), onWarning: (message) => logger.warn(message),
    });
    // The app needs the issuer, known once the port is bound; no request can arrive before that.
    const holder: { app?: ReturnType<typeof buildApp> } = {};
    const listener = getRequestListener((request, env) => holder.app!.fetch(request, env));
    server = createServer({ requestTimeout: config.server.requestTimeout * 1000, headersTimeout: Math.min(config.server.requestTimeout * 1000, 60_000), keepAliveTimeout: 5000, connectionsCheckingInterval: 1000 }, listener);
    limitConnections(server, config.server.maxConnections);
    const httpServer = server;
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE') reject(new Error(`port ${config.server.port} on ${config.server.host} is already in use: stop the other process, or choose another port with --port or KEYWARD_PORT`));
        else if (error.code === 'EACCES') reject(new Error(`not allowed to listen on port ${config.server.port}: choose a port above 1023 with --port or KEYWARD_PORT`));
        else reject(error);
      });
      httpServer.listen({ port: config.server.port, host: config.server.host, backlog: LISTEN_BACKLOG }, () => {
        httpServer.removeAllListeners('error');
        httpServer.on('error', (error) => logger.error({ err: error }, 'HTTP server error'));
        resolve();
      });
    });
    const address = httpServer.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `http://${host}:${address.port}`;
    const issuer = resolveIssuer(config, address.port);
    const clients = createClientCache(store.clients, { ttlSeconds: config.clients.cacheTtl, logger, nowMs });
    const registry = createRegistryContext(store, { now: () => new Date(now() * 1000) });
    // Every change made through this node (admin API, dynamic registration) takes effect at once here;
    // other processes' changes arrive as announcements (services/cluster).
    registry.onChange((clientId) => clients.invalidate(clientId));
    const metrics = createMetrics({ clientIdLabel: config.metrics.clientIdLabel });
    // A worker of `serve --workers N`: GET /metrics on any worker shows the sum of all workers.
    options.workerLink?.shareMetrics(metrics.registry);
    const audit = createAuditWriter(store.audit, logger);
    const context: ServerContext = {
      config,
      issuer,
      tokenEndpoint: `${issuer}/token`,
      store,
      logger,
      clients,
      signingKeys,
      audit,
      registry,
      jwksUriKeys: createServerJwksUriKeys({ config, now, logger, audit }),
      metrics,
      // Created now, so its Redis connection is ready before the first request.
      rateLimiter: createTokenRateLimiter(config.rateLimit, { ...(config.storage.redisUrl ? { redisUrl: config.storage.redisUrl } : {}), keyPrefix: config.storage.keyPrefix }),
      counters: { tokensIssued: 0, tokensRefused: 0, legacyAudience: 0 },
      now,
      ...(options.workerLink ? { workerLink: options.workerLink } : {}),
      ...(options.signIn ? { signIn: options.signIn } : {}),
    };
    holder.app = buildApp(context);
    // Drop cached clients when another node or process changes them: over Redis between nodes, over
    // IPC between the workers of one `serve --workers N`.
    const useIpcBus = options.workerLink !== undefined && !config.storage.redisUrl;
    // A lone process on its own SQLite data directory, without Redis, hears the local CLI on the
    // directory's socket (the main process of `serve --workers N` does that for its workers; a store
    // passed in by the caller may have nothing to do with the configured directory).
    const ownsDataDir = options.workerLink === undefined && options.store === undefined;
    const localBus = ownsDataDir ? await listenForLocalAnnouncements(config, logger) : undefined;
    const bus = useIpcBus ? options.workerLink!.bus : localBus;
    const cluster = await startClusterSync(context, bus ? { bus } : {});

    const maintenance = setInterval(() => {
      void runMaintenance(context).catch((error: unknown) => {
        // Maintenance is storage work only (purges, signing-key reads).
        context.metrics.recordStoreError('maintenance');
        logger.warn({ err: error }, 'maintenance failed');
      });
    }, config.maintenance.purgeInterval * 1000);
    maintenance.unref();

    let closing: Promise<void> | undefined;
    return {
      url,
      issuer,
      context,
      close() {
        closing ??= (async () => {
          clearInterval(maintenance);
          await new Promise<void>((resolve) => {
            httpServer.close(() => resolve());
            httpServer.closeIdleConnections();
            setTimeout(() => httpServer.closeAllConnections(), 2000).unref();
          });
          await cluster.close();
          await context.rateLimiter.close();
          await context.audit.flush();
          await store.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    server?.close();
    if (options.store === undefined) await store.close().catch(() => undefined);
    throw error;
  }
}

/** One maintenance pass: purge expired replay reservations and token records, refresh signing keys. */
export async function runMaintenance(ctx: ServerContext): Promise<{ replay: number; tokens: number }> {
  const now = ctx.now();
  // RFC 7523 §3 (7): reservations are only needed until the assertion expires.
  const replay = await ctx.store.replay.purgeExpired(now);
  const tokens = await ctx.store.tokens.purgeExpiredTokens(now);
  // Pending requests, codes and refresh tokens past their lifetime (codes kept a day to recognise reuse).
  await ctx.store.authorizations.purgeExpired(now);
  await ctx.signingKeys.refresh();
  return { replay, tokens };
}
