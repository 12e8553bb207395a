/**
 * The OAuth error family and the closed list of reason codes.
 *
 * Every refusal Keyward makes carries one `reason` from {@link REASONS}. The wire answer is the
 * RFC 6749 §5.2 (token endpoint) or RFC 6750 §3.1 (resource server) error code with a short
 * description that helps an honest client without helping an attacker: it never echoes the token
 * and never reveals which clients exist. The audit log and `keyward doctor` show the reason code and
 * the detail (what was expected).
 *
 * docs/reason-codes.md documents each code with its RFC clause and what an honest client should do;
 * a test keeps that page and this list in step.
 */

/** RFC 6749 §5.2, RFC 6750 §3.1, RFC 7591 §3.2.2 error codes. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'invalid_client_metadata'
  | 'invalid_target'
  | 'invalid_redirect_uri'
  | 'access_denied'
  | 'unsupported_response_type'
  | 'invalid_request_uri'
  | 'login_required'
  | 'consent_required'
  | 'server_error'
  | 'temporarily_unavailable';

interface ReasonSpec {
  /** The wire error code this reason maps to. */
  readonly error: OAuthErrorCode;
  /** Default HTTP status. */
  readonly status: number;
  /** The clause the rule comes from. */
  readonly rfc: string;
  /** Short public description (safe to send to the client). */
  readonly description: string;
}

function r(error: OAuthErrorCode, status: number, rfc: string, description: string): ReasonSpec {
  return { error, status, rfc, description };
}

/**
 * The closed list of reason codes. Adding one means adding it here and to docs/reason-codes.md
 * (a test checks both agree).
 */
export const REASONS = {
  // --- the compact serialization itself -------------------------------------------------------
  assertion_missing: r('invalid_request', 400, 'RFC 7521 §4.2', 'client_assertion is required with client_assertion_type'),
  assertion_too_large: r('invalid_client', 401, 'RFC 7515 §10 (resource limits); Keyward policy', 'the JWT is larger than the size limit'),
  assertion_malformed: r('invalid_client', 401, 'RFC 7515 §7.1, RFC 7519 §7.2', 'the JWT is not a well-formed compact JWS'),
  assertion_line_breaks: r('invalid_client', 401, 'RFC 7515 §2, §7.1', 'the JWT contains line breaks; base64url has none (use `openssl base64 -A` or `tr -d \'\\n\'`)'),
  // --- JOSE header ------------------------------------------------------------------------------
  alg_not_allowed: r('invalid_client', 401, 'RFC 7515 §4.1.1, RFC 7523 §3 (9), RFC 8725 §3.1', 'the signing algorithm is not allowed'),
  alg_key_mismatch: r('invalid_client', 401, 'RFC 7518 §3.1, RFC 8725 §3.1', 'the signing algorithm does not fit the registered key'),
  header_key_not_allowed: r('invalid_client', 401, 'RFC 7515 §4.1.2-§4.1.6, RFC 8725 §3.10', 'jwk, jku, x5u and x5c headers are never used to find a key'),
  crit_unsupported: r('invalid_client', 401, 'RFC 7515 §4.1.11, RFC 7797 §3', 'the JWT uses a critical header extension that is not supported'),
  typ_not_allowed: r('invalid_client', 401, 'RFC 8725 §3.11, draft-ietf-oauth-rfc7523bis §4', 'the JWT type is not a client assertion'),
  kid_unknown: r('invalid_client', 401, 'RFC 7515 §4.1.4, RFC 7523 §3 (9)', 'no registered key matches the kid'),
  signature_invalid: r('invalid_client', 401, 'RFC 7515 §5.2, RFC 7523 §3 (9)', 'the signature does not verify with the registered key'),
  // --- claims (RFC 7523 §3) -------------------------------------------------------------------
  claim_invalid: r('invalid_client', 401, 'RFC 7519 §4.1', 'a registered claim has the wrong type'),
  iss_mismatch: r('invalid_client', 401, 'RFC 7523 §3 (1)', 'iss must be the client_id'),
  sub_mismatch: r('invalid_client', 401, 'RFC 7523 §3 (2)', 'sub must be the client_id'),
  client_id_mismatch: r('invalid_client', 401, 'RFC 7521 §4.2', 'the client_id parameter does not match the assertion'),
  aud_mismatch: r('invalid_client', 401, 'RFC 7523 §3 (3), draft-ietf-oauth-rfc7523bis §5', 'aud must be the issuer identifier of this server'),
  exp_missing: r('invalid_client', 401, 'RFC 7523 §3 (4)', 'exp is required'),
  assertion_expired: r('invalid_client', 401, 'RFC 7523 §3 (4), RFC 7519 §4.1.4', 'the JWT has expired'),
  lifetime_too_long: r('invalid_client', 401, 'RFC 7523 §3 (4); Keyward policy', 'the JWT lifetime is longer than allowed'),
  iat_in_future: r('invalid_client', 401, 'RFC 7523 §3 (6), RFC 7519 §4.1.6', 'iat is in the future'),
  nbf_in_future: r('invalid_client', 401, 'RFC 7523 §3 (5), RFC 7519 §4.1.5', 'the JWT is not yet valid (nbf)'),
  iat_in_milliseconds: r('invalid_client', 401, 'RFC 7519 §2 (NumericDate is seconds)', 'iat is in milliseconds; use seconds since the epoch'),
  exp_in_milliseconds: r('invalid_client', 401, 'RFC 7519 §2 (NumericDate is seconds)', 'exp is in milliseconds; use seconds since the epoch'),
  iat_missing: r('invalid_client', 401, 'RFC 7519 §4.1.6; Keyward direct mode', 'iat is required'),
  iat_too_old: r('invalid_client', 401, 'Keyward direct mode (maximum iat age)', 'the JWT was issued too long ago'),
  jti_missing: r('invalid_client', 401, 'RFC 7523 §3 (7)', 'jti is required'),
  jti_replayed: r('invalid_client', 401, 'RFC 7523 §3 (7), RFC 7519 §4.1.7', 'this jti has already been used'),
  client_id_claim_missing: r('invalid_token', 401, 'Keyward direct mode', 'the client identifier claim is missing'),
  not_a_direct_token: r('invalid_token', 401, 'RFC 8725 §2.8, §3.12; Keyward direct mode', 'the JWT is a client assertion or an access token, not a direct token'),
  // --- client and key registry ----------------------------------------------------------------
  client_unknown: r('invalid_client', 401, 'RFC 6749 §5.2', 'client authentication failed'),
  client_disabled: r('invalid_client', 401, 'RFC 6749 §5.2', 'client authentication failed'),
  no_keys: r('invalid_client', 401, 'RFC 7523 §3 (9)', 'the client has no usable key'),
  key_revoked: r('invalid_client', 401, 'RFC 7523 §3 (9); Keyward key lifecycle', 'the key that signed the JWT has been revoked'),
  key_retired: r('invalid_client', 401, 'RFC 7523 §3 (9); Keyward key lifecycle', 'the key that signed the JWT has been retired'),
  key_expired: r('invalid_client', 401, 'RFC 5280 §4.1.2.5', 'the certificate of the key has expired'),
  key_not_yet_valid: r('invalid_client', 401, 'RFC 5280 §4.1.2.5', 'the certificate of the key is not yet valid'),
  jwks_fetch_failed: r('invalid_client', 401, 'RFC 7591 §2 (jwks_uri)', 'the client key set could not be fetched'),
  // --- the HTTP request -----------------------------------------------------------------------
  request_malformed: r('invalid_request', 400, 'RFC 6749 §3.2', 'the request is malformed'),
  content_type_unsupported: r('invalid_request', 400, 'RFC 6749 §3.2', 'the body must be application/x-www-form-urlencoded'),
  body_too_large: r('invalid_request', 413, 'RFC 6749 §3.2; Keyward policy', 'the request body is too large'),
  parameter_repeated: r('invalid_request', 400, 'RFC 6749 §3.2', 'a parameter was sent more than once'),
  parameter_missing: r('invalid_request', 400, 'RFC 6749 §4.4.2', 'a required parameter is missing'),
  multiple_auth_methods: r('invalid_request', 400, 'RFC 6749 §2.3', 'more than one client authentication method was used'),
  auth_missing: r('invalid_client', 401, 'RFC 6749 §2.3, §3.2.1', 'client authentication is required (private_key_jwt)'),
  auth_method_unsupported: r('invalid_client', 401, 'RFC 7523 §2.2, OIDC Core §9', 'only private_key_jwt client authentication is supported'),
  assertion_type_unsupported: r('invalid_request', 400, 'RFC 7521 §4.2', 'client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer'),
  grant_type_unsupported: r('unsupported_grant_type', 400, 'RFC 6749 §5.2', 'the grant type is not supported'),
  grant_not_allowed: r('unauthorized_client', 400, 'RFC 6749 §5.2', 'the client may not use this grant type'),
  scope_not_allowed: r('invalid_scope', 400, 'RFC 6749 §3.3, §5.2', 'the requested scope is not allowed for this client'),
  resource_invalid: r('invalid_target', 400, 'RFC 8707 §2', 'the resource parameter is not allowed'),
  grant_assertion_invalid: r('invalid_grant', 400, 'RFC 7523 §3, §3.1', 'the authorization grant JWT is invalid'),
  // --- the authorization endpoint and pushed requests -------------------------------------------
  redirect_uri_unregistered: r('invalid_request', 400, 'RFC 6749 §3.1.2.3, §4.1.2.1, RFC 9700 §4.1.3', 'the redirect_uri is not one registered for this client'),
  response_type_unsupported: r('unsupported_response_type', 400, 'RFC 6749 §4.1.2.1, FAPI 2.0 §5.3.2.2', 'only response_type=code is supported'),
  pkce_required: r('invalid_request', 400, 'RFC 7636 §4.4.1, FAPI 2.0 §5.3.2.2', 'a PKCE code_challenge with code_challenge_method=S256 is required'),
  pkce_method_unsupported: r('invalid_request', 400, 'RFC 7636 §4.2, §4.4.1, FAPI 2.0 §5.3.2.2', 'only code_challenge_method=S256 is supported'),
  authorization_request_invalid: r('invalid_request', 400, 'RFC 6749 §4.1.1, §4.1.2.1, OIDC Core §3.1.2.1', 'the authorization request is invalid'),
  request_uri_invalid: r('invalid_request_uri', 400, 'RFC 9126 §2.2, §4', 'the request_uri is unknown, expired, already used or not for this client'),
  par_required: r('invalid_request', 400, 'RFC 9126 §5, §6, FAPI 2.0 §5.3.2.2', 'this authorization request must be pushed to the pushed authorization request endpoint first'),
  login_required: r('login_required', 400, 'OIDC Core §3.1.2.6', 'the end user must sign in'),
  consent_required: r('consent_required', 400, 'OIDC Core §3.1.2.6', 'the end user must consent'),
  consent_denied: r('access_denied', 400, 'RFC 6749 §4.1.2.1', 'the end user denied the request'),
  consent_csrf_invalid: r('invalid_request', 403, 'RFC 6749 §10.12', 'the consent form has expired or was not sent by this server'),
  // --- authorization codes and refresh tokens ----------------------------------------------------
  code_invalid: r('invalid_grant', 400, 'RFC 6749 §4.1.3, §5.2', 'the authorization code is invalid or expired'),
  code_reused: r('invalid_grant', 400, 'RFC 6749 §4.1.2, §10.5', 'the authorization code has already been used'),
  code_client_mismatch: r('invalid_grant', 400, 'RFC 6749 §4.1.3', 'the authorization code was issued to another client'),
  redirect_uri_mismatch: r('invalid_grant', 400, 'RFC 6749 §4.1.3', 'redirect_uri must be the one of the authorization request'),
  code_verifier_missing: r('invalid_grant', 400, 'RFC 7636 §4.5, §4.6', 'code_verifier is required'),
  pkce_mismatch: r('invalid_grant', 400, 'RFC 7636 §4.6', 'the code_verifier does not match the code_challenge'),
  refresh_token_invalid: r('invalid_grant', 400, 'RFC 6749 §6, §5.2', 'the refresh token is invalid, expired or revoked'),
  refresh_token_reused: r('invalid_grant', 400, 'RFC 9700 §4.14.2, RFC 6749 §10.4', 'the refresh token has already been used; its whole family is revoked'),
  end_user_unavailable: r('invalid_grant', 400, 'RFC 6749 §5.2', 'the end user of this grant is no longer available'),
  consent_revoked: r('invalid_grant', 400, 'RFC 6749 §4.1.2, §10.4', 'the end user revoked the consent this grant was issued under'),
  // --- end session ---------------------------------------------------------------------------------
  id_token_hint_invalid: r('invalid_request', 400, 'OpenID Connect RP-Initiated Logout 1.0 §2, §4', 'id_token_hint is not an ID token this server issued'),
  logout_csrf_invalid: r('invalid_request', 403, 'OpenID Connect RP-Initiated Logout 1.0 §2, §6, RFC 6749 §10.12', 'the logout form has expired or was not sent by this server'),
  post_logout_redirect_uri_unregistered: r('invalid_request', 400, 'OpenID Connect RP-Initiated Logout 1.0 §2, §3.1', 'post_logout_redirect_uri is not registered for this client'),
  // --- resource servers (RFC 6750) ------------------------------------------------------------
  token_missing: r('invalid_request', 401, 'RFC 6750 §3.1', 'a Bearer token is required'),
  token_invalid: r('invalid_token', 401, 'RFC 6750 §3.1', 'the access token is invalid'),
  token_expired: r('invalid_token', 401, 'RFC 6750 §3.1, RFC 9068 §4', 'the access token has expired'),
  token_not_owned: r('unauthorized_client', 400, 'RFC 7009 §2.1', 'the token was not issued to this client'),
  token_revoked: r('invalid_token', 401, 'RFC 7009 §2, RFC 6750 §3.1', 'the access token has been revoked'),
  insufficient_scope: r('insufficient_scope', 403, 'RFC 6750 §3.1', 'the access token lacks the required scope'),
  // --- registration and administration --------------------------------------------------------
  metadata_invalid: r('invalid_client_metadata', 400, 'RFC 7591 §3.2.2', 'the client metadata is invalid'),
  redirect_uri_invalid: r('invalid_redirect_uri', 400, 'RFC 7591 §3.2.2, RFC 6749 §3.1.2', 'a redirect URI is invalid'),
  admin_forbidden: r('access_denied', 403, 'RFC 6750 §3.1', 'the admin scope is required'),
  rate_limited: r('temporarily_unavailable', 429, 'RFC 6585 §4', 'too many requests; retry later'),
  store_unavailable: r('temporarily_unavailable', 503, 'RFC 6749 §5.2', 'the server cannot check this request right now; retry later'),
} as const satisfies Record<string, ReasonSpec>;

/** One stable reason code; see docs/reason-codes.md. */
export type ReasonCode = keyof typeof REASONS;

/** Every reason code, in catalogue order. */
export const REASON_CODES = Object.keys(REASONS) as ReasonCode[];

/**
 * Refusals decided before the caller proved possession of a key registered for the client it names:
 * at every endpoint they answer one and the same public description, so that nobody learns which
 * clients or keys exist, or how a client is configured (RFC 6749 §5.2, RFC 7523 §3.1). The audit
 * log and the `onRefusal` hook keep the precise reason. The one list, for the server and the verifier.
 */
export const IDENTITY_HIDING_REASONS: ReadonlySet<ReasonCode> = new Set<ReasonCode>([
  'client_unknown', 'client_disabled', 'no_keys', 'kid_unknown', 'alg_key_mismatch', 'alg_not_allowed',
  'signature_invalid', 'jwks_fetch_failed', 'typ_not_allowed',
]);

/** True when `value` names a reason in the closed list. */
export function isReasonCode(value: unknown): value is ReasonCode {
  return typeof value === 'string' && Object.hasOwn(REASONS, value);
}

/**
 * A refusal. `error` and `description` go on the wire; `reason` and `detail` go to the audit log
 * and to diagnostics. `detail` may say what was expected (for example the expected audience), but
 * never contains a token, a secret or key material.
 */
export class OAuthError extends Error {
  /** Wire error code (RFC 6749 §5.2 / RFC 6750 §3.1 / RFC 7591 §3.2.2). */
  readonly error: string;
  /** Stable reason code from {@link REASONS}. */
  readonly reason: ReasonCode;
  /** HTTP status to answer with. */
  readonly status: number;
  /** Public, short description. */
  readonly description: string;
  /** Operator-facing detail (what was expected, how to fix it). Never sent for invalid_client. */
  readonly detail: string | undefined;

  constructor(reason: ReasonCode, options: { detail?: string; description?: string; status?: number; cause?: unknown } = {}) {
    const spec: ReasonSpec = REASONS[reason];
    super(options.detail ? `${spec.description}: ${options.detail}` : spec.description, { cause: options.cause });
    this.name = 'OAuthError';
    this.error = spec.error;
    this.reason = reason;
    this.status = options.status ?? spec.status;
    this.description = options.description ?? spec.description;
    this.detail = options.detail;
  }

  /** The RFC 6749 §5.2 JSON body. */
  toJSON(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

/** Codes of {@link KeyError}. */
export type KeyErrorCode =
  | 'key_format_unknown'
  | 'key_pem_malformed'
  | 'key_is_private'
  | 'key_not_private'
  | 'key_is_symmetric'
  | 'key_too_small'
  | 'key_curve_unsupported'
  | 'key_type_unsupported'
  | 'key_alg_mismatch'
  | 'passphrase_required'
  | 'passphrase_wrong'
  | 'certificate_invalid'
  | 'jwks_empty';

/**
 * A key that Keyward will not read or accept. The message is one sentence that names the problem
 * and the fix (for example "this is a private key: register the public key only").
 */
export class KeyError extends Error {
  readonly code: KeyErrorCode;
  constructor(code: KeyErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'KeyError';
    this.code = code;
  }
}
