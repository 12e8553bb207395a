/**
 * The token request as a request/process pair (the oauth4webapi model): {@link buildTokenRequest}
 * makes the `Request`, the caller sends it with any fetch, {@link processTokenResponse} reads the
 * `Response` into a result or a typed error.
 */
import { readServerDate, TokenRequestError } from './errors.ts';

/** RFC 7521 §4.2 / RFC 7523 §2.2 client assertion type. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Options of {@link buildTokenRequest}. */
export interface TokenRequestOptions {
  readonly tokenEndpoint: string;
  /** The signed client assertion (signClientAssertion). */
  readonly clientAssertion: string;
  /** Default `client_credentials` (RFC 6749 §4.4.2). */
  readonly grantType?: string;
  /** Space-separated scopes (RFC 6749 §3.3). */
  readonly scope?: string;
  /** RFC 8707 resource indicator(s). */
  readonly resource?: string | readonly string[];
  /** Sends `client_id` too (RFC 7521 §4.2 allows it; it must equal the assertion's iss/sub). */
  readonly clientId?: string;
  /** More form parameters (for example `code` and `redirect_uri` for the authorization code grant). */
  readonly parameters?: Readonly<Record<string, string>>;
}

/** A successful token response (RFC 6749 §5.1). */
export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: string;
  readonly expires_in?: number;
  readonly scope?: string;
  /** The whole JSON body. */
  readonly raw: Readonly<Record<string, unknown>>;
  /** The server's `Date` header in epoch milliseconds, if it sent one. */
  readonly serverDate?: number;
}

/**
 * Builds the `POST` to the token endpoint: form-encoded body with `grant_type`, `client_assertion_type`
 * and `client_assertion` (RFC 7523 §2.2), optional `scope`, `resource`, `client_id`, extra parameters.
 * Does NOT sign anything and does not send the request. Throws TypeError for a parameter that would
 * be sent twice (RFC 6749 §3.2 forbids repeated parameters).
 */
export function buildTokenRequest(options: TokenRequestOptions): Request {
  const form = new URLSearchParams();
  form.set('grant_type', options.grantType ?? 'client_credentials');
  // RFC 7523 §2.2: private_key_jwt is the assertion type plus the assertion.
  form.set('client_assertion_type', JWT_BEARER_ASSERTION_TYPE);
  form.set('client_assertion', options.clientAssertion);
  if (options.scope !== undefined && options.scope !== '') form.set('scope', options.scope);
  if (options.clientId !== undefined) form.set('client_id', options.clientId);
  // RFC 8707 §2: resource may be repeated, one value per resource.
  const resources = options.resource === undefined ? [] : typeof options.resource === 'string' ? [options.resource] : options.resource;
  for (const resource of resources) form.append('resource', resource);
  for (const [name, value] of Object.entries(options.parameters ?? {})) {
    if (form.has(name)) throw new TypeError(`parameter ${name} is already set by buildTokenRequest`);
    form.set(name, value);
  }
  return new Request(options.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: form.toString(),
    redirect: 'error',
  });
}

/**
 * Reads a token endpoint response. 200 with a JSON object carrying a string `access_token` and
 * `token_type` (RFC 6749 §5.1) → {@link TokenResponse}; an error body (RFC 6749 §5.2) or anything
 * else → {@link TokenRequestError} with `error`, `error_description`, `status` and the server's
 * `Date` (for clock-difference checks). Does NOT verify the access token (it is opaque to clients).
 */
export async function processTokenResponse(response: Response): Promise<TokenResponse> {
  const serverDate = readServerDate(response.headers);
  const dateOption = serverDate === undefined ? {} : { serverDate };
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new TokenRequestError('invalid_response', { status: response.status, ...dateOption, message: `the token endpoint answered HTTP ${response.status} without a JSON body: check the token endpoint URL` });
  }
  const json = typeof body === 'object' && body !== null && !Array.isArray(body) ? body as Record<string, unknown> : undefined;
  if (response.status !== 200 || json === undefined) {
    // RFC 6749 §5.2: error and error_description.
    const error = typeof json?.error === 'string' ? json.error : 'invalid_response';
    const description = typeof json?.error_description === 'string' ? json.error_description : undefined;
    throw new TokenRequestError(error, { status: response.status, ...dateOption, ...(description === undefined ? {} : { description }) });
  }
  if (typeof json.access_token !== 'string' || json.access_token === '' || typeof json.token_type !== 'string') {
    throw new TokenRequestError('invalid_response', { status: response.status, ...dateOption, message: 'the token response has no access_token or token_type (RFC 6749 §5.1)' });
  }
  const result: { -readonly [K in keyof TokenResponse]: TokenResponse[K] } = { access_token: json.access_token, token_type: json.token_type, raw: json, ...dateOption };
  if (typeof json.expires_in === 'number' && Number.isFinite(json.expires_in) && json.expires_in >= 0) result.expires_in = json.expires_in;
  if (typeof json.scope === 'string') result.scope = json.scope;
  return result;
}
