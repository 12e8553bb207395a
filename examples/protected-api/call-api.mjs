/**
 * Calls the example API as a client would, in both modes:
 *   mode A: a private_key_jwt assertion at the Keyward token endpoint (client_credentials, scope
 *           read, resource = the API), then GET /api/resource with the access token;
 *   mode B: a direct token { clientcode, iat } signed with the same private key (source document
 *           000), then GET /direct/resource.
 *
 *   node examples/protected-api/call-api.mjs <client_id> <private_key.pem>
 * Environment: KEYWARD_ISSUER (default http://127.0.0.1:4440), API_URL (default http://127.0.0.1:4441),
 * API_AUDIENCE (default http://127.0.0.1:4441/api), PRIVATE_KEY_PASSWORD for an encrypted key.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { signClientAssertion, signDirectToken } from '@keyward/client';

/**
 * What callApi needs.
 * @typedef {object} CallApiOptions
 * @property {string} issuer
 * @property {string} apiUrl
 * @property {string} audience
 * @property {string} clientId
 * @property {string} privateKey PEM private key (any format Keyward reads).
 * @property {string} [passphrase]
 */

/**
 * Runs both calls; returns the two HTTP statuses and bodies.
 * @param {CallApiOptions} options
 * @returns {Promise<{ modeA: { status: number, body: unknown }, modeB: { status: number, body: unknown } }>}
 */
export async function callApi(options) {
  const key = { privateKey: options.privateKey, ...(options.passphrase === undefined ? {} : { passphrase: options.passphrase }) };
  // Mode A: RFC 7523 client authentication, RFC 8707 resource, RFC 6749 §4.4 client_credentials.
  const assertion = await signClientAssertion({ clientId: options.clientId, audience: options.issuer, ...key });
  const tokenResponse = await fetch(`${options.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      scope: 'read',
      resource: options.audience,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    }),
  });
  const tokenBody = await tokenResponse.json();
  const a = await fetch(`${options.apiUrl}/api/resource`, { headers: { authorization: `Bearer ${tokenBody.access_token ?? ''}` } });
  // Mode B: the client signs its own short-lived token.
  const direct = await signDirectToken({ clientId: options.clientId, ...key });
  const b = await fetch(`${options.apiUrl}/direct/resource`, { headers: { authorization: `Bearer ${direct}` } });
  return { modeA: { status: a.status, body: await a.json() }, modeB: { status: b.status, body: await b.json() } };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [clientId, keyFile] = process.argv.slice(2);
  if (clientId === undefined || keyFile === undefined) {
    console.error('usage: node examples/protected-api/call-api.mjs <client_id> <private_key.pem>');
    process.exit(2);
  }
  const result = await callApi({
    issuer: process.env.KEYWARD_ISSUER ?? 'http://127.0.0.1:4440',
    apiUrl: process.env.API_URL ?? 'http://127.0.0.1:4441',
    audience: process.env.API_AUDIENCE ?? 'http://127.0.0.1:4441/api',
    clientId,
    privateKey: readFileSync(keyFile, 'utf8'),
    ...(process.env.PRIVATE_KEY_PASSWORD ? { passphrase: process.env.PRIVATE_KEY_PASSWORD } : {}),
  });
  console.log(JSON.stringify(result, null, 2));
}
