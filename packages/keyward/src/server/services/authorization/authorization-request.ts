/**
 * Reads and checks an authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, OIDC Core §3.1.2.1)
 * in two steps, because where an error may be sent depends on it (RFC 6749 §4.1.2.1):
 *
 * 1. {@link identifyClient}: client_id and redirect_uri. A missing, unknown or disabled client, or a
 *    redirect_uri that is not character for character one of the client's registered URIs, is an
 *    {@link UntrustedRedirectError}: shown to the end user, never redirected.
 * 2. {@link checkAuthorizationParameters}: everything else, against the identified client. Its
 *    refusals are OAuthErrors that are redirected to the (now trusted) redirect_uri.
 *
 * Does NOT look at the end user or consent (the authorization endpoint does), and does NOT decide
 * whether the request had to be pushed (RFC 9126 §5: the endpoint knows how it arrived).
 */
import { OAuthError } from '@keyward/core';
import type { ClientRecord } from '../../../store/contract.ts';
import type { ServerContext } from '../../context.ts';
import { resolveScopes } from '../grants/grant-parameters.ts';

/** The parameters of an authorization request: a single value each, or undefined. */
export type RequestParameters = ReadonlyMap<string, string>;

/** A request whose client and redirect URI cannot be trusted: answered with an error page. */
export class UntrustedRedirectError extends Error {
  readonly reason: 'client_unknown' | 'redirect_uri_unregistered' | 'authorization_request_invalid' | 'request_uri_invalid';
  constructor(reason: UntrustedRedirectError['reason'], message: string) {
    super(message);
    this.name = 'UntrustedRedirectError';
    this.reason = reason;
  }
}

/** A checked authorization request. */
export interface AuthorizationRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly state?: string;
  readonly nonce?: string;
  /** RFC 7636 §4.2: BASE64URL(SHA256(code_verifier)), 43 characters. */
  readonly codeChallenge: string;
  /** OIDC Core §3.1.2.1 prompt values. */
  readonly prompt: readonly string[];
  /** OIDC Core §3.1.2.1 max_age, seconds. */
  readonly maxAge?: number;
}

/** RFC 7636 §4.2: the S256 challenge is 32 bytes base64url without padding. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const PROMPTS = new Set(['none', 'login', 'consent', 'select_account']);
const MAX_VALUE = 512;

/**
 * Reads the parameters of a query string or a form. RFC 6749 §3.1: "Request and response parameters
 * MUST NOT be included more than once"; empty values count as absent. Returns the repeated names too.
 */
export function readParameters(search: URLSearchParams): { parameters: Map<string, string>; repeated: string[] } {
  const parameters = new Map<string, string>();
  const repeated: string[] = [];
  for (const [name, value] of search) {
    if (value === '') continue;
    if (parameters.has(name)) repeated.push(name);
    else parameters.set(name, value);
  }
  return { parameters, repeated };
}

/**
 * Step 1: the client and its redirect URI. RFC 6749 §4.1.2.1: with a missing, invalid or
 * mismatching redirection URI, or a missing or invalid client identifier, the server "SHOULD
 * inform the resource owner of the error and MUST NOT automatically redirect". RFC 9700 §4.1.3:
 * exact string comparison, no normalization.
 */
export async function identifyClient(ctx: ServerContext, parameters: RequestParameters, repeated: readonly string[]): Promise<{ client: ClientRecord; redirectUri: string }> {
  if (repeated.includes('client_id') || repeated.includes('redirect_uri')) {
    throw new UntrustedRedirectError('authorization_request_invalid', 'client_id and redirect_uri must each be sent once (RFC 6749 §3.1).');
  }
  const clientId = parameters.get('client_id');
  if (clientId === undefined) throw new UntrustedRedirectError('authorization_request_invalid', 'The request names no client (client_id is missing).');
  let client: ClientRecord | undefined;
  try {
    client = clientId.length > 256 ? undefined : (await ctx.clients.get(clientId))?.client;
  } catch (cause) {
    throw new OAuthError('store_unavailable', { cause });
  }
  if (client === undefined || client.state !== 'enabled') {
    throw new UntrustedRedirectError('client_unknown', 'The application that sent you here is not known to this server, or is disabled.');
  }
  const redirectUri = parameters.get('redirect_uri');
  // OIDC Core §3.1.2.1 and FAPI 2.0: redirect_uri is required, and must be registered.
  if (redirectUri === undefined) throw new UntrustedRedirectError('authorization_request_invalid', 'The request has no redirect_uri.');
  if (!(client.redirectUris ?? []).includes(redirectUri)) {
    throw new UntrustedRedirectError('redirect_uri_unregistered', 'The address the application asked to return to is not one registered for it.');
  }
  return { client, redirectUri };
}

function single(parameters: RequestParameters, name: string): string | undefined {
  const value = parameters.get(name);
  if (value !== undefined && value.length > MAX_VALUE) throw new OAuthError('authorization_request_invalid', { detail: `${name} is longer than ${MAX_VALUE} characters` });
  return value;
}

/**
 * Step 2: the rest of the request, for `client` (identified by step 1). Throws OAuthError:
 * 'authorization_request_invalid' (a repeated parameter, a request object, a bad prompt or
 * max_age, an over-long state or nonce), 'grant_not_allowed' (the client is not registered for
 * the authorization_code grant), 'response_type_unsupported', 'pkce_required',
 * 'pkce_method_unsupported', 'scope_not_allowed'.
 */
export function checkAuthorizationParameters(client: ClientRecord, redirectUri: string, parameters: RequestParameters, repeated: readonly string[]): AuthorizationRequest {
  // RFC 6749 §3.1: no parameter more than once.
  if (repeated.length > 0) throw new OAuthError('authorization_request_invalid', { detail: `${repeated[0]!.slice(0, 64)} was sent more than once` });
  // RFC 6749 §4.1.2.1 unauthorized_client.
  if (!client.grantTypes.includes('authorization_code')) {
    throw new OAuthError('grant_not_allowed', { detail: 'this client is not registered for the authorization_code grant' });
  }
  // RFC 6749 §4.1.1: response_type REQUIRED, "code"; FAPI 2.0 §5.3.2.2: code only.
  const responseType = parameters.get('response_type');
  if (responseType !== 'code') {
    throw new OAuthError('response_type_unsupported', { detail: responseType === undefined ? 'response_type is required: use response_type=code' : 'only response_type=code is supported' });
  }
  // OAuth 2.0 Multiple Response Type Encoding Practices §2.1: only the query response mode (RFC 6749 §4.1.2).
  const responseMode = parameters.get('response_mode');
  if (responseMode !== undefined && responseMode !== 'query') throw new OAuthError('authorization_request_invalid', { detail: 'only response_mode=query is supported' });
  // OIDC Core §6: request objects are not supported here (use pushed authorization requests).
  if (parameters.has('request')) throw new OAuthError('authorization_request_invalid', { detail: 'request objects are not supported: push the parameters to the pushed authorization request endpoint instead' });
  // RFC 7636 §4.4.1 and FAPI 2.0 §5.3.2.2: PKCE is required, with S256 only.
  const challenge = parameters.get('code_challenge');
  const method = parameters.get('code_challenge_method');
  if (challenge === undefined) throw new OAuthError('pkce_required', { detail: 'send code_challenge=BASE64URL(SHA256(code_verifier)) and code_challenge_method=S256' });
  // RFC 7636 §4.3: a missing method means "plain", which is refused.
  if (method !== 'S256') throw new OAuthError('pkce_method_unsupported', { detail: method === undefined ? 'code_challenge_method is missing (it would mean plain): send code_challenge_method=S256' : 'only code_challenge_method=S256 is supported' });
  if (!S256_CHALLENGE.test(challenge)) throw new OAuthError('pkce_method_unsupported', { detail: 'an S256 code_challenge is 43 base64url characters (RFC 7636 §4.2)' });
  // RFC 6749 §3.3 scope; every scope must be registered for the client.
  const scopes = resolveScopes(parameters.get('scope'), client.scopes);
  const state = single(parameters, 'state');
  const nonce = single(parameters, 'nonce');
  // OIDC Core §3.1.2.1 prompt: space-separated; "none" with any other value is an error.
  const prompt = (single(parameters, 'prompt') ?? '').split(' ').filter((p) => p !== '');
  for (const value of prompt) if (!PROMPTS.has(value)) throw new OAuthError('authorization_request_invalid', { detail: `prompt ${JSON.stringify(value.slice(0, 32))} is not supported (none, login, consent, select_account)` });
  if (prompt.includes('none') && prompt.length > 1) throw new OAuthError('authorization_request_invalid', { detail: 'prompt=none cannot be combined with other values (OIDC Core §3.1.2.1)' });
  const maxAgeText = parameters.get('max_age');
  let maxAge: number | undefined;
  if (maxAgeText !== undefined) {
    if (!/^\d{1,9}$/.test(maxAgeText)) throw new OAuthError('authorization_request_invalid', { detail: 'max_age is a whole number of seconds' });
    maxAge = Number(maxAgeText);
  }
  return {
    clientId: client.clientId,
    redirectUri,
    scopes,
    ...(state !== undefined ? { state } : {}),
    ...(nonce !== undefined ? { nonce } : {}),
    codeChallenge: challenge,
    prompt,
    ...(maxAge !== undefined ? { maxAge } : {}),
  };
}

/** The parameters kept server-side for a pushed or pending request (the raw single values). */
export function toStoredParameters(parameters: RequestParameters): Record<string, string> {
  return Object.fromEntries(parameters);
}

/** The parameters of a stored request. */
export function fromStoredParameters(stored: Record<string, unknown>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(stored)) if (typeof value === 'string') out.set(name, value);
  return out;
}
