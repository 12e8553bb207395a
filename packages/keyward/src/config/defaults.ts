/**
 * Every setting of the Keyward server, its default and its documentation, in one place.
 * docs/configuration.md is generated from this file (`npx tsx scripts/gen-config-docs.ts`).
 */
import type { JwsAlgorithm } from '@keyward/core';

/** The resolved configuration (after defaults, the config file, KEYWARD_* variables and overrides). */
export interface KeywardConfig {
  readonly server: {
    /** Interface to listen on. */
    readonly host: string;
    /** TCP port (0 = any free port). */
    readonly port: number;
    /** Issuer identifier; when unset, `http://<host>:<port>` of the bound address. */
    readonly issuer?: string;
    /** Largest accepted request body in bytes. */
    readonly maxBodyBytes: number;
    /** A request that has not arrived completely after this many seconds is dropped. */
    readonly requestTimeout: number;
    /** Most connections open at once per server process; more are closed as soon as they are accepted. */
    readonly maxConnections: number;
    /** Seconds, after SIGTERM, that /ready answers 503 while the node still serves (load balancers take it out). */
    readonly shutdownDrain: number;
    /** Seconds in-flight requests then get to finish before their connections are closed. */
    readonly shutdownGrace: number;
    /** Read the source address from X-Forwarded-For (only behind a proxy you control). */
    readonly trustProxy: boolean;
    /** Worker processes sharing the port (`auto`: one per CPU core). */
    readonly workers: number | 'auto';
  };
  readonly storage: {
    /** Directory of the SQLite file (`:memory:` for a throw-away in-memory store). */
    readonly dataDir: string;
    /** PostgreSQL URL; when set, used instead of SQLite. */
    readonly databaseUrl?: string;
    /** Redis URL for the replay cache (with PostgreSQL). */
    readonly redisUrl?: string;
    /** Key prefix in Redis. */
    readonly keyPrefix: string;
  };
  readonly tokens: {
    /** Default access token lifetime in seconds (a client record may set its own). */
    readonly accessTokenTtl: number;
    /** Algorithm of the server signing key created on first start. */
    readonly signingAlg: JwsAlgorithm;
    /** Default overlap of `keyward keys rotate` in seconds. */
    readonly rotationOverlap: number;
    /** Seconds between re-reads of the signing keys from storage (rotation by another process). */
    readonly signingKeyRefresh: number;
  };
  readonly keys: {
    /**
     * Seconds a new signing key made by `keyward keys rotate` is published in /jwks before it signs
     * (so verifiers that cached /jwks already know it).
     */
    readonly prepublishSeconds: number;
    /** Key-encryption key of the stored signing keys: 32 bytes, base64url or hex (prefer the file). */
    readonly encryptionKey?: string;
    /** File holding the key-encryption key (32 bytes: raw, base64url or hex text). */
    readonly encryptionKeyFile?: string;
    /** The previous key-encryption key, still accepted for reading during a rotation. */
    readonly previousEncryptionKey?: string;
    /** File holding the previous key-encryption key. */
    readonly previousEncryptionKeyFile?: string;
    /** Days after which a client key is due for rotation (the `key_age` alert); 0: no limit. */
    readonly maxAge: number;
  };
  readonly assertions: {
    /** Longest accepted client assertion lifetime (exp - iat), seconds. */
    readonly maxLifetime: number;
    /** Clock skew tolerated on exp, iat and nbf, seconds. */
    readonly clockTolerance: number;
    /** Largest accepted assertion, characters. */
    readonly maxLength: number;
  };
  readonly clients: {
    /** Seconds a client record and its keys are cached by a server node. */
    readonly cacheTtl: number;
    /** Hosts whose jwks_uri may use plain http and resolve to private or loopback addresses. */
    readonly jwksUriAllowHosts: readonly string[];
    /** Accept http://127.0.0.1[:port] and http://localhost[:port] redirect URIs (RFC 8252 §7.3). */
    readonly allowLoopbackRedirectUris: boolean;
  };
  readonly authorization: {
    /** RFC 9126 §5: every authorization request must be pushed (POST /par) first. */
    readonly requirePushedAuthorizationRequests: boolean;
    /** Refresh token lifetime, seconds (rotated on every use). */
    readonly refreshTokenTtl: number;
    /** ID token lifetime, seconds. */
    readonly idTokenTtl: number;
    /** Seconds a request waiting for the end user's sign-in or consent stays resumable. */
    readonly pendingRequestTtl: number;
  };
  readonly clientKeysEndpoint: {
    /** `Cache-Control: max-age` of `GET /resource/v1/clients/{id}/keys`, seconds. */
    readonly maxAge: number;
  };
  readonly audit: {
    /** Days audit events are kept; older ones are purged by the maintenance job. 0 keeps them forever. */
    readonly retention: number;
  };
  readonly maintenance: {
    /** Seconds between purges of expired replay entries and token records. */
    readonly purgeInterval: number;
  };
  readonly console: {
    /** Serve the admin web console at /console/ (it only calls the admin API). */
    readonly enabled: boolean;
  };
  readonly metrics: {
    /** Serve GET /metrics (Prometheus) and time every request. */
    readonly enabled: boolean;
    /** Label token counts with the authenticated client_id (one series per client). */
    readonly clientIdLabel: boolean;
  };
  readonly rateLimit: {
    /** Apply the token endpoint rate limits. */
    readonly enabled: boolean;
    /** Token requests per window from one source address (checked before any work). */
    readonly perSourceAddress: number;
    /** Token requests per window by one authenticated client. */
    readonly perClient: number;
    /** Window in seconds. */
    readonly window: number;
  };
  readonly signIn: {
    /** A sign-in session ends after this many seconds without a request. */
    readonly sessionIdleSeconds: number;
    /** A sign-in session ends this many seconds after the sign-in, used or not. */
    readonly sessionMaxSeconds: number;
    /** Failed sign-ins per window for one username before it is refused for the rest of the window. */
    readonly maxFailuresPerUsername: number;
    /** Failed sign-ins per window from one source address before it is refused for the rest of the window. */
    readonly maxFailuresPerAddress: number;
    /** Successful sign-ins per window from one source address before it is refused for the rest of the window. */
    readonly maxSuccessesPerAddress: number;
    /** Window of the sign-in limits (failures and successes), in seconds. */
    readonly failureWindowSeconds: number;
    /** Seconds a passkey enrolment link (`keyward users passkey-link`) can be used. */
    readonly passkeyEnrolmentSeconds: number;
  };
  readonly alerts: {
    /** Run the anomaly detector on the audit stream and the key scan. */
    readonly enabled: boolean;
    /** `issuance_spike`: a client's grants in one minute above this many times its baseline... */
    readonly issuanceSpikeFactor: number;
    /** ...and at least this many. */
    readonly issuanceSpikeMinimum: number;
    /** `replay_burst`: this many replayed jtis for one client, or from one source address... */
    readonly replayBurstCount: number;
    /** ...within this many seconds. */
    readonly replayBurstWindow: number;
    /** `signature_failures`: this many bad signatures or unknown kids for one client... */
    readonly signatureFailureCount: number;
    /** ...within this many seconds. */
    readonly signatureFailureWindow: number;
    /** `new_key_first_use`: alert when a registered key authenticates for the first time. */
    readonly newKeyFirstUse: boolean;
    /** `new_source_network`: days a client's networks are learnt silently after its first use; 0 turns the kind off. */
    readonly newNetworkLearningDays: number;
    /** `new_source_network`: a network unused for this many days is new again. */
    readonly newNetworkForgetDays: number;
    /** `dormant_client_active`: days without use after which a use is an alert; 0 turns the kind off. */
    readonly dormantDays: number;
    /** `key_expiring`: days before a key's end (certificate notAfter or retirement) with no successor; 0 turns it off. */
    readonly keyExpiringDays: number;
    /** `legacy_audience`: alert (once per client per day) when a client needs the legacy audience rules. */
    readonly legacyAudience: boolean;
    /** Seconds between scans of the registered keys (`key_expiring`, `key_age`). */
    readonly keyScanInterval: number;
    /** Clients (and source addresses) whose counters the detector keeps in memory at most; the least recently seen go first. */
    readonly maxTrackedClients: number;
    /** Receivers of every new alert (a JWS signed with the server's key); `kinds` limits what one receives. */
    readonly webhooks: readonly { readonly url: string; readonly kinds?: readonly string[] }[];
    /** Attempts per webhook delivery before it is marked failed. */
    readonly webhookMaxAttempts: number;
    /** Seconds before the first retry; each further retry waits twice as long, at most 10 minutes. */
    readonly webhookRetryDelay: number;
    /** Seconds one webhook POST may take. */
    readonly webhookTimeout: number;
  };
  readonly log: {
    /** One `info` line per request (method, path, status, duration, request id). */
    readonly access: boolean;
    /** pino level: fatal, error, warn, info, debug, trace or silent. */
    readonly level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  };
}

/** Default TCP port of `keyward serve`. */
export const DEFAULT_PORT = 4440;

/** The defaults. */
export const DEFAULT_CONFIG: KeywardConfig = {
  server: { host: '127.0.0.1', port: DEFAULT_PORT, maxBodyBytes: 65536, requestTimeout: 10, maxConnections: 10000, shutdownDrain: 0, shutdownGrace: 10, trustProxy: false, workers: 1 },
  storage: { dataDir: './.keyward', keyPrefix: 'keyward:' },
  tokens: { accessTokenTtl: 300, signingAlg: 'ES256', rotationOverlap: 86400, signingKeyRefresh: 30 },
  keys: { prepublishSeconds: 120, maxAge: 0 },
  assertions: { maxLifetime: 300, clockTolerance: 15, maxLength: 16384 },
  clients: { cacheTtl: 5, jwksUriAllowHosts: [], allowLoopbackRedirectUris: false },
  authorization: { requirePushedAuthorizationRequests: false, refreshTokenTtl: 2_592_000, idTokenTtl: 300, pendingRequestTtl: 600 },
  clientKeysEndpoint: { maxAge: 60 },
  audit: { retention: 0 },
  maintenance: { purgeInterval: 60 },
  console: { enabled: true },
  metrics: { enabled: true, clientIdLabel: false },
  rateLimit: { enabled: true, perSourceAddress: 200_000, perClient: 100_000, window: 10 },
  signIn: { sessionIdleSeconds: 1800, sessionMaxSeconds: 43200, maxFailuresPerUsername: 5, maxFailuresPerAddress: 50, maxSuccessesPerAddress: 100, failureWindowSeconds: 900, passkeyEnrolmentSeconds: 900 },
  alerts: {
    enabled: true,
    issuanceSpikeFactor: 10,
    issuanceSpikeMinimum: 100,
    replayBurstCount: 5,
    replayBurstWindow: 60,
    signatureFailureCount: 20,
    signatureFailureWindow: 300,
    newKeyFirstUse: true,
    newNetworkLearningDays: 7,
    newNetworkForgetDays: 30,
    dormantDays: 30,
    keyExpiringDays: 14,
    legacyAudience: true,
    keyScanInterval: 3600,
    maxTrackedClients: 100_000,
    webhooks: [],
    webhookMaxAttempts: 8,
    webhookRetryDelay: 5,
    webhookTimeout: 10,
  },
  log: { level: 'info', access: false },
};

/** One documented setting (for docs/configuration.md). */
export interface SettingDoc {
  /** Dotted path in the config file. */
  readonly path: string;
  /** Its environment variable when it has a short one; otherwise the name {@link environmentVariableOf} derives. */
  readonly env?: string;
  readonly description: string;
}

/** Documentation of every setting, in the order of docs/configuration.md. */
export const SETTING_DOCS: readonly SettingDoc[] = [
  { path: 'server.host', env: 'KEYWARD_HOST', description: 'Interface to listen on. The default accepts only local connections; put a TLS proxy in front for anything else.' },
  { path: 'server.port', env: 'KEYWARD_PORT', description: 'TCP port. 0 picks any free port (tests).' },
  { path: 'server.issuer', env: 'KEYWARD_ISSUER', description: 'Issuer identifier (RFC 8414 §2): the `iss` of every access token and the `aud` client assertions must carry. Unset: `http://<host>:<port>` of the bound address. Never taken from the Host header. Set it to your public https URL in production.' },
  { path: 'server.maxBodyBytes', description: 'Largest accepted request body in bytes; larger bodies get 413 `invalid_request`.' },
  { path: 'server.requestTimeout', description: 'Seconds a request may take to arrive completely; slower ones are dropped (no hanging connections).' },
  { path: 'server.maxConnections', description: 'Most client connections one server process holds open at once; a connection beyond it is closed as soon as it is accepted. It bounds the file descriptors and memory an idle-connection flood can take. With `server.workers` N, each worker process has this cap. Keep it below the process\'s open-file limit (`ulimit -n`). Connections still arriving faster than the server accepts them wait in the kernel\'s listen queue (`net.core.somaxconn`; see docs/deployment.md).' },
  { path: 'server.shutdownDrain', description: 'On SIGTERM, seconds the node keeps serving while `/ready` answers 503 `draining` (and every answer says `Connection: close`), so that a load balancer or Kubernetes takes it out of rotation before it stops accepting. Set it to at least your readiness probe\'s period times its failure threshold (for example 10). 0 (the default) stops accepting at once; Ctrl-C (SIGINT) never waits for it. See docs/deployment.md.' },
  { path: 'server.shutdownGrace', description: 'Seconds the requests under way when the node stops accepting get to finish; connections still open after it are closed. A request cut this way is not recorded as a malformed request.' },
  { path: 'server.trustProxy', description: 'Take the source address for the audit log from the first `X-Forwarded-For` entry. Only behind a proxy you control.' },
  { path: 'server.workers', env: 'KEYWARD_WORKERS', description: 'Worker processes serving the port together (node:cluster), each with its own event loop, sharing the store: `auto` starts one per CPU core. With 1 (the default) the server is one process. Needs SQLite or PostgreSQL (not `:memory:`). Without `storage.redisUrl` the workers pass cache invalidations to each other through the main process, and each worker counts the rate limits on its own (so a source address or client may get up to `workers` times the limit); set `storage.redisUrl` for exact shared counters. See docs/deployment.md.' },
  { path: 'storage.dataDir', env: 'KEYWARD_DATA_DIR', description: 'Directory of the SQLite file `keyward.sqlite` (created with mode 0700 on first start). `:memory:` keeps everything in memory (lost on exit).' },
  { path: 'storage.databaseUrl', env: 'KEYWARD_DATABASE_URL', description: 'PostgreSQL URL (`postgres://...`); when set it replaces SQLite.' },
  { path: 'storage.redisUrl', env: 'KEYWARD_REDIS_URL', description: 'Redis URL for the replay cache when several nodes share one PostgreSQL database.' },
  { path: 'storage.keyPrefix', description: 'Prefix of every Redis key.' },
  { path: 'tokens.accessTokenTtl', description: 'Default access token lifetime in seconds (RFC 9068 `exp - iat`).' },
  { path: 'tokens.signingAlg', description: 'Algorithm of the signing key created on first start: ES256, RS256, PS256 or EdDSA (any asymmetric JWS algorithm works).' },
  { path: 'tokens.rotationOverlap', description: 'Default overlap of `keyward keys rotate` in seconds: the old key stays in /jwks this long.' },
  { path: 'tokens.signingKeyRefresh', description: 'Seconds between re-reads of the signing keys, so a rotation made by `keyward keys rotate` in another process is picked up even if its announcement (data directory socket, or Redis) was missed.' },
  { path: 'keys.prepublishSeconds', description: 'Seconds a new signing key made by `keyward keys rotate` is published in /jwks before it starts signing, so an API that cached /jwks before the rotation already knows the new key. The default (120) covers the /jwks `Cache-Control: max-age` of 60 s plus `tokens.signingKeyRefresh` (30 s, the latest a node serves the new /jwks). Every node switches at the activation time stored with the key. `keyward keys rotate --now` skips it (a compromised key).' },
  { path: 'keys.encryptionKey', env: 'KEYWARD_KEY_ENCRYPTION_KEY', description: 'Key-encryption key (32 bytes, base64url or hex) of the stored signing keys: when set, every signing key is stored AES-256-GCM encrypted (existing plaintext keys are encrypted at start-up). Prefer `keys.encryptionKeyFile` or a secret store over a value in a file. Unset (and no file): the signing keys are stored unencrypted and the server warns at start-up. See docs/operations.md.' },
  { path: 'keys.encryptionKeyFile', env: 'KEYWARD_KEY_ENCRYPTION_KEY_FILE', description: 'File holding the key-encryption key (32 raw bytes, or base64url or hex text); keep it 0600 and apart from the data. Used when `keys.encryptionKey` is unset.' },
  { path: 'keys.previousEncryptionKey', env: 'KEYWARD_KEY_ENCRYPTION_KEY_PREVIOUS', description: 'The previous key-encryption key, accepted for reading only while you rotate it (`keyward keys rewrap`, docs/operations.md).' },
  { path: 'keys.previousEncryptionKeyFile', env: 'KEYWARD_KEY_ENCRYPTION_KEY_PREVIOUS_FILE', description: 'File holding the previous key-encryption key (see `keys.previousEncryptionKey`).' },
  { path: 'keys.maxAge', description: 'Days after which a registered client key is due for rotation: an older key raises one `key_age` alert (docs/alerts.md). A client\'s own `key_max_age_days` (`keyward clients update <client_id> --key-max-age DAYS`, or the admin API) wins over it. 0 (the default) sets no limit.' },
  { path: 'assertions.maxLifetime', description: 'Longest accepted client assertion lifetime (`exp - iat`) in seconds (RFC 7523 §3 (4)).' },
  { path: 'assertions.clockTolerance', description: 'Clock skew in seconds tolerated on `exp`, `iat` and `nbf`.' },
  { path: 'assertions.maxLength', description: 'Largest accepted client assertion in characters.' },
  { path: 'clients.cacheTtl', description: 'Seconds a server node caches a client record and its parsed keys. Changes made through the admin API are applied at once on every node (over Redis, or between the workers of one server); the local CLI announces its changes (on the data directory socket `keyward.sock`, or on Redis when `storage.redisUrl` is set), so they too apply at once; anything not announced shows up within this time.' },
  { path: 'clients.jwksUriAllowHosts', description: 'Host names or IP literals (e.g. `["keys.internal", "127.0.0.1"]`) whose client `jwks_uri` may use plain http and resolve to private, loopback or link-local addresses. Empty by default: every jwks_uri must be https on a public address (SSRF defence, see docs/registration.md).' },
  { path: 'clients.allowLoopbackRedirectUris', description: 'Accept `http://127.0.0.1[:port]` and `http://localhost[:port]` redirect URIs (RFC 8252 §7.3, native apps and local development). Off by default: every redirect URI must be https (FAPI 2.0). `javascript:`, `data:`, fragments and wildcards are refused whatever this says.' },
  { path: 'authorization.requirePushedAuthorizationRequests', description: 'Refuse authorization requests that were not pushed first to `POST /par` (RFC 9126 §5; FAPI 2.0 requires PAR). A client can also be required to push with its own `require_pushed_authorization_requests`. Advertised in discovery.' },
  { path: 'authorization.refreshTokenTtl', description: 'Lifetime of a refresh token in seconds. Refresh tokens are rotated on every use, and a second use of an old one revokes the whole family (RFC 9700 §4.14).' },
  { path: 'authorization.idTokenTtl', description: 'Lifetime of an ID token in seconds (OIDC Core §2 `exp - iat`).' },
  { path: 'authorization.pendingRequestTtl', description: 'Seconds an authorization request waiting for the end user to sign in or consent can be resumed; also how long a logout confirmation page (`/end-session` without `id_token_hint`) can be answered. Authorization codes live 60 s and pushed requests 60 s (fixed).' },
  { path: 'clientKeysEndpoint.maxAge', description: '`Cache-Control: max-age` (seconds) of `GET /resource/v1/clients/{client_id}/keys`.' },
  { path: 'audit.retention', description: 'Days an audit event is kept. The maintenance job (every `maintenance.purgeInterval`) deletes older events, oldest first, at most 100,000 per pass. 0 (the default) keeps every event: set it to what your audit policy requires, and export what must outlive it first (`keyward audit export`, docs/operations.md).' },
  { path: 'maintenance.purgeInterval', description: 'Seconds between purges of expired replay reservations and token records (and of audit events past `audit.retention`).' },
  { path: 'console.enabled', description: 'Serve the admin web console at `/console/`: static pages that sign in with the admin key (in the browser) or an admin access token and call only the admin API. Every action needs an access token of scope `keyward:admin`. Turn it off on nodes that should not show it (docs/console.md).' },
  { path: 'metrics.enabled', description: 'Serve `GET /metrics` (Prometheus text format: token requests by outcome and reason, legacy audience acceptances, replay refusals, store errors, jwks_uri fetch failures, request durations). Expose it to your monitoring only (docs/operations.md).' },
  { path: 'metrics.clientIdLabel', description: 'Add a `client_id` label to the token counters, for authenticated clients only (one series per registered client). Off by default: unbounded label sets hurt Prometheus.' },
  { path: 'rateLimit.enabled', description: 'Apply the token endpoint rate limits (429 `rate_limited` with `Retry-After`). Counters live in Redis when `storage.redisUrl` is set (shared by every node), else in each process.' },
  { path: 'rateLimit.perSourceAddress', description: 'Token requests per window from one source address, checked before the request is read. The default (200,000 per 10 s) is far above what one node serves on 2 cores, so it only stops floods; lower it for your traffic.' },
  { path: 'rateLimit.perClient', description: 'Token requests per window by one authenticated client (checked after the signature, so nobody can spend another client\'s budget). Default 100,000 per 10 s; a well-behaved client caches its token and needs a few per token lifetime.' },
  { path: 'rateLimit.window', description: 'Window of both rate limits, in seconds.' },
  { path: 'log.access', description: 'Log one `info` line per request: method, path (never the query string), status, duration in ms and `request_id`. Off by default (the audit log already records every token request).' },
  { path: 'signIn.sessionIdleSeconds', description: 'Seconds a sign-in session of an end user lives without a request (default 1800, 30 minutes); every request that uses it moves the end. Sessions are held in the store, so every node sees them (docs/sign-in.md).' },
  { path: 'signIn.sessionMaxSeconds', description: 'Seconds a sign-in session lives at most from the sign-in, used or not (default 43200, 12 hours); then the user signs in again. Also the `Max-Age` of the session cookie.' },
  { path: 'signIn.maxFailuresPerUsername', description: 'Failed sign-ins for one username within `signIn.failureWindowSeconds` after which that username is refused (429) until the window ends, whether or not the user exists (default 5). Counted in Redis when `storage.redisUrl` is set, else per process.' },
  { path: 'signIn.maxFailuresPerAddress', description: 'Failed sign-ins from one source address within `signIn.failureWindowSeconds` after which that address is refused (429) until the window ends (default 50). Behind a proxy, set `server.trustProxy` so the address is the browser\'s.' },
  { path: 'signIn.maxSuccessesPerAddress', description: 'Successful sign-ins (password or passkey) from one source address within `signIn.failureWindowSeconds` after which that address is refused (429, audited as `user.sign_in_throttled` with `limit: successes_per_address`) until the window ends (default 100): credential stuffing with working username and password pairs fails nothing, so successes are counted too. Raise it when many users sign in from behind one address (a corporate NAT); behind a proxy, set `server.trustProxy`.' },
  { path: 'signIn.failureWindowSeconds', description: 'Window of the sign-in limits (failures per username and per address, successes per address), in seconds (default 900).' },
  { path: 'signIn.passkeyEnrolmentSeconds', description: 'Seconds a passkey enrolment link made by `keyward users passkey-link` (or `POST /admin/v1/users/{user}/passkey-link`) can be used to register one passkey without signing in (default 900, 15 minutes). Each link works once (docs/sign-in.md).' },
  { path: 'alerts.enabled', description: 'Run the anomaly detector on the audit stream and the periodic key scan, and store, log, count and deliver the alerts they raise (docs/alerts.md). Each kind below can also be turned off alone.' },
  { path: 'alerts.issuanceSpikeFactor', description: '`issuance_spike`: raised when a client\'s granted tokens in one minute exceed this many times its baseline (an exponentially weighted average of its earlier minutes) and at least `alerts.issuanceSpikeMinimum`.' },
  { path: 'alerts.issuanceSpikeMinimum', description: '`issuance_spike`: the least number of grants in one minute that can raise it (so a quiet client going from 1 to 20 tokens a minute raises nothing).' },
  { path: 'alerts.replayBurstCount', description: '`replay_burst`: raised when this many assertions with a replayed `jti` arrive for one client, or from one source address, within `alerts.replayBurstWindow` seconds.' },
  { path: 'alerts.replayBurstWindow', description: '`replay_burst`: the window, in seconds.' },
  { path: 'alerts.signatureFailureCount', description: '`signature_failures`: raised when this many assertions claiming one client fail their signature or name an unknown `kid` within `alerts.signatureFailureWindow` seconds (someone trying keys).' },
  { path: 'alerts.signatureFailureWindow', description: '`signature_failures`: the window, in seconds.' },
  { path: 'alerts.newKeyFirstUse', description: '`new_key_first_use`: raised the first time a registered key authenticates (once per key, remembered in the store).' },
  { path: 'alerts.newNetworkLearningDays', description: '`new_source_network`: days after a client\'s first use during which its source networks (/24 for IPv4, /48 for IPv6) are learnt without alerts. After it, a client authenticating from a network it has not used for `alerts.newNetworkForgetDays` days raises it. 0 turns the kind off.' },
  { path: 'alerts.newNetworkForgetDays', description: '`new_source_network`: a network a client has not used for this many days counts as new again.' },
  { path: 'alerts.dormantDays', description: '`dormant_client_active`: raised when a client that has not authenticated for this many days does. 0 turns the kind off.' },
  { path: 'alerts.keyExpiringDays', description: '`key_expiring`: raised once per key when it ends (certificate `notAfter`, or the retirement time of a rotation) within this many days and the client has no other usable key that outlives it. A rotation announced in advance (a new key added, the old one retiring) raises nothing. 0 turns the kind off.' },
  { path: 'alerts.legacyAudience', description: '`legacy_audience`: raised once per client per day while a client still needs the legacy audience rules (the token endpoint URL, or an array, as `aud`).' },
  { path: 'alerts.keyScanInterval', description: 'Seconds between scans of the registered keys for `key_expiring` and `key_age` (also run at start-up).' },
  { path: 'alerts.maxTrackedClients', description: 'Clients, and separately source addresses, whose counters and baselines one server process keeps at most; past it the least recently seen are forgotten (their baselines start again). Bounds the detector\'s memory (at most about 1.5 KB per tracked client; see bench/README.md).' },
  { path: 'alerts.webhooks', description: 'Receivers of every new alert, as a JSON array of `{ "url": "https://...", "kinds": ["replay_burst", ...] }` (`kinds` optional: all kinds). Each gets a POST whose body is a JWS (`typ: keyward-alert+jwt`) signed with the server\'s own signing key, verifiable against `/jwks`. The URLs follow the `jwks_uri` address rules: https on a public address unless the host is in `clients.jwksUriAllowHosts`.' },
  { path: 'alerts.webhookMaxAttempts', description: 'Attempts per webhook delivery before it is marked `failed` (the delivery status is on the alert).' },
  { path: 'alerts.webhookRetryDelay', description: 'Seconds before the first retry of a webhook delivery; each further retry waits twice as long, at most 10 minutes.' },
  { path: 'alerts.webhookTimeout', description: 'Seconds one webhook POST may take before it counts as a failed attempt.' },
  { path: 'log.level', env: 'KEYWARD_LOG_LEVEL', description: 'Log level: fatal, error, warn, info, debug, trace or silent. Tokens, assertions and Authorization headers are always redacted.' },
];

/**
 * The environment variable of a setting: its short name where the design gives one (`KEYWARD_PORT`,
 * `KEYWARD_DATA_DIR`, ...), else `KEYWARD_` and the path in capitals with `_` between words
 * (`rateLimit.perClient` → `KEYWARD_RATE_LIMIT_PER_CLIENT`).
 */
export function environmentVariableOf(doc: SettingDoc): string {
  return doc.env ?? `KEYWARD_${doc.path.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/\./g, '_').toUpperCase()}`;
}

/** Every setting's environment variable (read by resolveConfig), with the setting it sets. */
export const ENVIRONMENT_VARIABLES: Readonly<Record<string, string>> = Object.fromEntries(SETTING_DOCS.map((doc) => [environmentVariableOf(doc), doc.path]));
