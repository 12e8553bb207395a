// Helpers of the authorization code flow tests: a code-flow client registered through the registry,
// a hand-made PKCE pair, requests that never follow redirects, and the token requests of the flow.
import { createHash, randomBytes } from 'node:crypto';
import type { RunningServer } from '../../packages/keyward/src/server/main.ts';
import { createClient } from '../../packages/keyward/src/server/services/registry/index.ts';
import { importPublicKeys } from '../../packages/core/src/keys/import-public-key.ts';
import { assertionFor, CLIENT_ASSERTION_TYPE, keyPairFor, postForm, readAnswer, type Answer, type TestClient } from './helpers.ts';

export interface CodeClient extends TestClient {
  readonly redirectUri: string;
}

let counter = 0;

/** Registers a client of the authorization code flow (authorization_code + refresh_token, consent required). */
export async function addCodeClient(server: RunningServer, options: { name?: string; slot?: number; redirectUris?: string[]; postLogoutRedirectUris?: string[]; consent?: 'required' | 'implicit'; requirePar?: boolean; refresh?: boolean; scopes?: string[] } = {}): Promise<CodeClient> {
  const { privateKey, publicKey } = keyPairFor('ES256', 20 + (options.slot ?? 0));
  counter += 1;
  const redirectUris = options.redirectUris ?? ['https://rp.example/cb'];
  const { client, keys } = await createClient(server.context.registry, {
    actor: 'test',
    name: options.name ?? `rp-${counter}`,
    clientId: `rp-${process.pid}-${counter}`,
    keys: importPublicKeys(publicKey),
    scopes: options.scopes ?? ['openid', 'profile', 'email', 'offline_access', 'read'],
    accessTokenTtl: 300,
    grantTypes: options.refresh === false ? ['authorization_code'] : ['authorization_code', 'refresh_token'],
    authorization: {
      redirectUris,
      ...(options.postLogoutRedirectUris ? { postLogoutRedirectUris: options.postLogoutRedirectUris } : {}),
      ...(options.consent ? { consent: options.consent } : {}),
      ...(options.requirePar ? { requirePushedAuthorizationRequests: true } : {}),
    },
    authorizationPolicy: { allowLoopbackRedirectUris: true },
  });
  return { clientId: client.clientId, privateKey, publicKey, kid: keys[0]!.kid, thumbprint: keys[0]!.thumbprint, alg: 'ES256', redirectUri: redirectUris[0]! };
}

/** A hand-made RFC 7636 pair: 32 random bytes as the verifier, S256 of it as the challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** The path and query of an authorization request. */
export function authorizeUrl(_server: RunningServer, client: CodeClient, options: { challenge?: string; method?: string; state?: string; nonce?: string; scope?: string; redirectUri?: string; extra?: Record<string, string> } = {}): string {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: options.redirectUri ?? client.redirectUri,
    scope: options.scope ?? 'openid profile',
    ...(options.challenge !== undefined ? { code_challenge: options.challenge, code_challenge_method: options.method ?? 'S256' } : {}),
    ...(options.state !== undefined ? { state: options.state } : {}),
    ...(options.nonce !== undefined ? { nonce: options.nonce } : {}),
    ...options.extra,
  });
  return `/authorize?${query.toString()}`;
}

/** One request to the server that does not follow redirects (a path, or a form POST). */
export async function follow(server: RunningServer, path: string, options: { cookie?: string; form?: Record<string, string> } = {}): Promise<Answer> {
  const response = await fetch(`${server.url}${path}`, {
    redirect: 'manual',
    ...(options.form
      ? { method: 'POST', body: new URLSearchParams(options.form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...(options.cookie ? { cookie: options.cookie } : {}) } }
      : { headers: options.cookie ? { cookie: options.cookie } : {} }),
  });
  return readAnswer(response);
}

/**
 * Runs an authorization request for a signed-in user (`cookie`) up to the code, approving the
 * consent page when one is shown. Returns the code (or undefined) and the redirect's parameters.
 */
export async function runToCode(server: RunningServer, client: CodeClient, options: { cookie: string; scope?: string; state?: string; nonce?: string; requestUri?: string }): Promise<{ code?: string; verifier: string; location: URL }> {
  const pkce = pkcePair();
  const path = options.requestUri
    ? `/authorize?${new URLSearchParams({ client_id: client.clientId, request_uri: options.requestUri }).toString()}`
    : authorizeUrl(server, client, { challenge: pkce.challenge, ...(options.scope ? { scope: options.scope } : {}), ...(options.state ? { state: options.state } : {}), ...(options.nonce ? { nonce: options.nonce } : {}) });
  let answer = await follow(server, path, { cookie: options.cookie });
  if (answer.status === 200 && answer.text.includes('csrf_token')) {
    const csrf = /name="csrf_token" value="([^"]+)"/.exec(answer.text)![1]!;
    const requestId = /name="request_id" value="([^"]+)"/.exec(answer.text)![1]!;
    answer = await follow(server, '/authorize/consent', { cookie: options.cookie, form: { request_id: requestId, csrf_token: csrf, decision: 'allow' } });
  }
  if (answer.status !== 303) throw new Error(`expected a redirect with the code, got ${answer.status}: ${answer.text.slice(0, 300)}`);
  const location = new URL(answer.headers.get('location')!, server.url);
  const code = location.searchParams.get('code') ?? undefined;
  return { ...(code ? { code } : {}), verifier: pkce.verifier, location };
}

/** POST /token grant_type=authorization_code with a fresh assertion of `client`. */
export async function exchangeCode(server: RunningServer, client: TestClient & { redirectUri?: string }, code: string, verifier: string | undefined, extra: Record<string, string> = {}): Promise<Answer> {
  return postForm(`${server.url}/token`, {
    grant_type: 'authorization_code',
    code,
    ...(client.redirectUri ? { redirect_uri: client.redirectUri } : {}),
    ...(verifier !== undefined ? { code_verifier: verifier } : {}),
    client_assertion_type: CLIENT_ASSERTION_TYPE,
    client_assertion: await assertionFor(server, client),
    ...extra,
  });
}

/** POST /token grant_type=refresh_token. */
export async function refresh(server: RunningServer, client: TestClient, refreshToken: string, extra: Record<string, string> = {}): Promise<Answer> {
  return postForm(`${server.url}/token`, {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_assertion_type: CLIENT_ASSERTION_TYPE,
    client_assertion: await assertionFor(server, client),
    ...extra,
  });
}

/** POST /par for `client` with the authorization request `parameters`. */
export async function pushRequest(server: RunningServer, client: TestClient, parameters: Record<string, string>, asClient: TestClient = client): Promise<Answer> {
  return postForm(`${server.url}/par`, {
    client_id: client.clientId,
    ...parameters,
    client_assertion_type: CLIENT_ASSERTION_TYPE,
    client_assertion: await assertionFor(server, asClient),
  });
}
