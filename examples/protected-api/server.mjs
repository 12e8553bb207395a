/**
 * A small API protected by `@keyward/verify`, in both modes (plain JavaScript: `node` runs it as is):
 *
 *   GET /api/resource     mode A: an access token issued by a Keyward server (scope "read")
 *   GET /direct/resource  mode B: a direct token signed by the client itself ({ clientcode, iat })
 *   GET /health           open
 *
 * Configuration (environment when run directly: `node examples/protected-api/server.mjs`):
 *   KEYWARD_ISSUER     the Keyward server's issuer, e.g. http://127.0.0.1:4440 (turns mode A on)
 *   API_AUDIENCE       this API's resource identifier (default http://127.0.0.1:4441/api)
 *   API_KEYS_DIR       a directory of <client_id>.pem public keys for mode B, or
 *   API_CLIENT_ID + API_PRIVATE_KEY (PEM file) this API's own client registration at the server, with
 *                      scope keyward:keys.read: mode B reads keys from the server's registry
 *   PORT / HOST        default 4441 / 127.0.0.1
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import {
  createDirectoryKeySource,
  createHonoMiddleware,
  createRegistryKeySource,
  createVerifier,
} from '@keyward/verify';

/**
 * What the example API needs.
 * @typedef {object} ProtectedApiConfig
 * @property {string} [issuer] Keyward issuer; mode A is on when set.
 * @property {string} [audience] This API's resource identifier (the `resource` clients ask their token for).
 * @property {string} [keysDir] Mode B keys from a directory of `<client_id>.pem` files.
 * @property {{ clientId: string, privateKey: string, kid?: string }} [registry] Mode B keys from the Keyward registry (needs `issuer`).
 * @property {number} [port]
 * @property {string} [host]
 */

export const DEFAULT_AUDIENCE = 'http://127.0.0.1:4441/api';

/**
 * Builds the Hono app (no listen). Throws TypeError when neither mode is configured.
 * @param {ProtectedApiConfig} config
 */
export function buildProtectedApi(config) {
  let keys;
  if (config.keysDir !== undefined) keys = createDirectoryKeySource({ dir: config.keysDir });
  else if (config.registry !== undefined && config.issuer !== undefined) {
    keys = createRegistryKeySource({ issuer: config.issuer, ...config.registry });
  }
  const options = {
    realm: 'protected-api',
    ...(config.issuer === undefined ? {} : { accessToken: { issuer: config.issuer, audience: config.audience ?? DEFAULT_AUDIENCE } }),
    ...(keys === undefined ? {} : { direct: { keys } }),
    // Log the precise reason of every refusal (never the token).
    onRefusal: (refusal, { mode }) => console.warn(`refused (${mode ?? 'unknown mode'}): ${refusal.reason}${refusal.detail ? ` - ${refusal.detail}` : ''}`),
  };
  const verifier = createVerifier(options);

  const app = new Hono();
  app.get('/health', (c) => c.json({ ok: true }));
  app.get('/api/resource', createHonoMiddleware(verifier, { modes: ['access_token'], scopes: ['read'] }), (c) => {
    const who = c.get('keyward');
    return c.json({ message: 'hello from mode A', client_id: who.clientId, scopes: who.scopes });
  });
  app.get('/direct/resource', createHonoMiddleware(verifier, { modes: ['direct'] }), (c) => {
    const who = c.get('keyward');
    return c.json({ message: 'hello from mode B', client_id: who.clientId });
  });
  return app;
}

/**
 * Starts the API; resolves when it listens.
 * @param {ProtectedApiConfig} config
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export async function startProtectedApi(config) {
  const app = buildProtectedApi(config);
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: config.port ?? 4441, hostname: config.host ?? '127.0.0.1' }, (info) => {
      resolve({
        url: `http://${config.host ?? '127.0.0.1'}:${info.port}`,
        close: () => new Promise((done) => {
          server.closeAllConnections?.();
          server.close(() => done());
        }),
      });
    });
  });
}

/**
 * Reads the configuration from the environment.
 * @returns {ProtectedApiConfig}
 */
export function readConfigFromEnv(env = process.env) {
  return {
    ...(env.KEYWARD_ISSUER ? { issuer: env.KEYWARD_ISSUER } : {}),
    audience: env.API_AUDIENCE ?? DEFAULT_AUDIENCE,
    ...(env.API_KEYS_DIR ? { keysDir: env.API_KEYS_DIR } : {}),
    ...(env.API_CLIENT_ID && env.API_PRIVATE_KEY ? { registry: { clientId: env.API_CLIENT_ID, privateKey: readFileSync(env.API_PRIVATE_KEY, 'utf8') } } : {}),
    port: Number(env.PORT ?? 4441),
    host: env.HOST ?? '127.0.0.1',
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const config = readConfigFromEnv();
  const { url } = await startProtectedApi(config);
  console.log(`protected API on ${url}: /api/resource (mode A${config.issuer ? `, issuer ${config.issuer}` : ': off, set KEYWARD_ISSUER'}), /direct/resource (mode B${config.keysDir || config.registry ? '' : ': off, set API_KEYS_DIR'})`);
}
