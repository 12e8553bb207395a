/**
 * RFC 7591 dynamic client registration at POST /register, gated by an initial access token
 * (RFC 7591 §3: created by an admin, sent as a Bearer token). The client metadata is validated and
 * every refusal is `invalid_client_metadata` (RFC 7591 §3.2.2) with a description that says what to
 * fix. A successful registration answers 201 with the client information (RFC 7591 §3.2.1) and an
 * RFC 7592 registration access token (shown once, stored as a SHA-256 hash).
 */
import type { Hono } from 'hono';
import { KeyError, OAuthError } from '@keyward/core';
import type { PublicKeyInfo } from '@keyward/core';
import type { ClientKeyRecord, ClientRecord } from '../../../store/contract.ts';
import type { ServerContext } from '../../context.ts';
import { errorResponse, jsonNoStore } from '../../middleware/errors.ts';
import { readContextBody, type RequestContext } from '../../middleware/read-body.ts';
import {
  checkGrantTypes, checkJwksUriSyntax, checkScopes, checkWithinRegistrationLimits, consumeInitialAccessToken, createClient, DEFAULT_CLIENT_GRANT_TYPES, findInitialAccessToken,
  generateSecret, hashSecret, registrationLimitsFor, RegistryError,
} from '../../services/registry/index.ts';
import { readRequestBearer } from '../../services/authenticate-server-request.ts';
import { authorizationPolicyOf, checkRedirectUri, type AuthorizationFieldsInput } from '../../services/registry/authorization-fields.ts';
import { importPublicKeys } from '@keyward/core';
import { isJwsAlgorithm, type JwsAlgorithm } from '@keyward/core';
import { registryFor } from '../registry-for.ts';

/** Options shared by the registration routes. */
export interface RegistrationOptions {
  /** Hosts whose jwks_uri may use http and private addresses (the fetcher's allow-list). */
  readonly jwksUriAllowHosts?: readonly string[];
}

/** Metadata after validation (RFC 7591 §2). */
export interface ValidatedMetadata {
  readonly clientName: string;
  readonly grantTypes: string[];
  readonly scopes: string[];
  readonly keys?: PublicKeyInfo[];
  readonly jwksUri?: string;
  readonly algPin?: JwsAlgorithm;
  readonly contacts?: string[];
  /** The authorization-code flow metadata (redirect_uris, response_types, ...), unchecked beyond its form. */
  readonly authorization: AuthorizationFieldsInput;
}

/** An `invalid_client_metadata` refusal whose public description says what to fix. */
export function metadataError(description: string): OAuthError {
  return new OAuthError('metadata_invalid', { description, detail: description });
}

/** Runs a registry field rule, turning its refusal into `invalid_client_metadata` with the same advice. */
function asMetadataRule<T>(rule: () => T): T {
  try {
    return rule();
  } catch (error) {
    if (error instanceof RegistryError) throw metadataError(error.message);
    throw error;
  }
}

function stringArray(value: unknown, field: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw metadataError(`${field} must be an array of strings`);
  return value as string[];
}

/**
 * Validates RFC 7591 §2 metadata for this server: its form, and each scope and grant type by the
 * registry's field rules; every refusal is 'metadata_invalid'. Unknown metadata is ignored (RFC 7591 §2: "The authorization server MUST
 * ignore any client metadata ... it does not understand"). Does NOT judge privileges (the registry
 * holds scopes and grant types to the registration limits) and does NOT fetch the jwks_uri (the
 * fetcher checks addresses at first use).
 */
export function validateClientMetadata(input: unknown): ValidatedMetadata {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw metadataError('the body must be a JSON object of client metadata (RFC 7591 §2)');
  const m = input as Record<string, unknown>;
  // token_endpoint_auth_method: this server authenticates clients with private_key_jwt only.
  if (m.token_endpoint_auth_method !== undefined && m.token_endpoint_auth_method !== 'private_key_jwt') {
    throw metadataError(`token_endpoint_auth_method must be "private_key_jwt" (got ${JSON.stringify(m.token_endpoint_auth_method)}): this server authenticates clients with signed JWT assertions only; register a public key in jwks or a jwks_uri`);
  }
  // RFC 7591 §2: MUST NOT use both jwks and jwks_uri.
  if (m.jwks !== undefined && m.jwks_uri !== undefined) throw metadataError('send either jwks or jwks_uri, not both (RFC 7591 §2)');
  if (m.jwks === undefined && m.jwks_uri === undefined) throw metadataError('private_key_jwt needs the client\'s public keys: send jwks ({"keys":[...]}) or jwks_uri');
  const grantTypes = asMetadataRule(() => checkGrantTypes(stringArray(m.grant_types, 'grant_types') ?? DEFAULT_CLIENT_GRANT_TYPES));
  const responseTypes = stringArray(m.response_types, 'response_types');
  const redirectUris = stringArray(m.redirect_uris, 'redirect_uris');
  const postLogoutRedirectUris = stringArray(m.post_logout_redirect_uris, 'post_logout_redirect_uris');
  if (m.id_token_signed_response_alg !== undefined && typeof m.id_token_signed_response_alg !== 'string') throw metadataError('id_token_signed_response_alg must be a string');
  // RFC 9126 §6: a boolean.
  if (m.require_pushed_authorization_requests !== undefined && typeof m.require_pushed_authorization_requests !== 'boolean') throw metadataError('require_pushed_authorization_requests must be true or false (RFC 9126 §6)');
  // `consent` is not registration metadata: a client registering itself never skips the end user's consent.
  const authorization: AuthorizationFieldsInput = {
    ...(redirectUris !== undefined ? { redirectUris } : {}),
    ...(postLogoutRedirectUris !== undefined ? { postLogoutRedirectUris } : {}),
    ...(responseTypes !== undefined ? { responseTypes } : {}),
    ...(typeof m.id_token_signed_response_alg === 'string' ? { idTokenSignedResponseAlg: m.id_token_signed_response_alg } : {}),
    ...(typeof m.require_pushed_authorization_requests === 'boolean' ? { requirePushedAuthorizationRequests: m.require_pushed_authorization_requests } : {}),
  };
  if (m.scope !== undefined && typeof m.scope !== 'string') throw metadataError('scope must be a space-separated string (RFC 7591 §2)');
  const scopes = asMetadataRule(() => checkScopes(((m.scope as string | undefined) ?? '').split(' ')));
  let algPin: JwsAlgorithm | undefined;
  if (m.token_endpoint_auth_signing_alg !== undefined) {
    if (!isJwsAlgorithm(m.token_endpoint_auth_signing_alg)) throw metadataError('token_endpoint_auth_signing_alg must be an asymmetric JWS algorithm (RS256, PS256, ES256, EdDSA, ...); never none or HS256');
    algPin = m.token_endpoint_auth_signing_alg;
  }
  if (m.client_name !== undefined && (typeof m.client_name !== 'string' || m.client_name.trim() === '' || m.client_name.length > 200)) throw metadataError('client_name must be 1-200 characters');
  const contacts = stringArray(m.contacts, 'contacts');
  let keys: PublicKeyInfo[] | undefined;
  if (m.jwks !== undefined) {
    const jwks = m.jwks as { keys?: unknown };
    if (typeof jwks !== 'object' || jwks === null || !Array.isArray(jwks.keys)) throw metadataError('jwks must be a JWK Set: {"keys":[{...public JWK...}]} (RFC 7517 §5)');
    try {
      keys = importPublicKeys({ keys: jwks.keys });
    } catch (error) {
      if (error instanceof KeyError) throw metadataError(`jwks refused: ${error.message}`);
      throw error;
    }
  }
  let jwksUri: string | undefined;
  if (m.jwks_uri !== undefined) {
    if (typeof m.jwks_uri !== 'string' || m.jwks_uri === '') throw metadataError('jwks_uri must be an https URL of the client\'s JWK Set (or send jwks instead)');
    jwksUri = m.jwks_uri;
  }
  return {
    clientName: typeof m.client_name === 'string' ? m.client_name.trim() : 'dynamically registered client',
    grantTypes,
    scopes,
    ...(keys ? { keys } : {}),
    ...(jwksUri !== undefined ? { jwksUri } : {}),
    ...(algPin ? { algPin } : {}),
    ...(contacts ? { contacts } : {}),
    authorization,
  };
}

/**
 * Checks the redirect URIs of `metadata` with the registry's one rule (authorization-fields.ts),
 * answering RFC 7591 §3.2.2 `invalid_redirect_uri` (reason 'redirect_uri_invalid') with what to fix.
 */
export function checkRegistrationRedirectUris(ctx: ServerContext, metadata: ValidatedMetadata): void {
  const policy = authorizationPolicyOf(ctx.config);
  for (const [field, uris] of [['redirect_uris', metadata.authorization.redirectUris], ['post_logout_redirect_uris', metadata.authorization.postLogoutRedirectUris]] as const) {
    for (const uri of uris ?? []) {
      try {
        checkRedirectUri(uri, field, policy);
      } catch (error) {
        if (error instanceof RegistryError) throw new OAuthError('redirect_uri_invalid', { description: error.message, detail: error.message });
        throw error;
      }
    }
  }
}

/** The RFC 7591 §3.2.1 client information response body (without the secret token). */
export function clientInformation(ctx: ServerContext, client: ClientRecord, keys: readonly ClientKeyRecord[]): Record<string, unknown> {
  return {
    client_id: client.clientId,
    client_id_issued_at: Math.floor(client.createdAt.getTime() / 1000),
    client_name: client.name,
    token_endpoint_auth_method: 'private_key_jwt',
    grant_types: [...client.grantTypes],
    response_types: [...(client.responseTypes ?? [])],
    redirect_uris: [...(client.redirectUris ?? [])],
    ...(client.postLogoutRedirectUris?.length ? { post_logout_redirect_uris: [...client.postLogoutRedirectUris] } : {}),
    ...(client.idTokenSignedResponseAlg ? { id_token_signed_response_alg: client.idTokenSignedResponseAlg } : {}),
    ...(client.requirePushedAuthorizationRequests ? { require_pushed_authorization_requests: true } : {}),
    ...(client.scopes.length ? { scope: client.scopes.join(' ') } : {}),
    ...(client.jwksUri ? { jwks_uri: client.jwksUri } : { jwks: { keys: keys.filter((k) => k.state !== 'revoked').map((k) => ({ ...k.jwk, kid: k.kid })) } }),
    ...(client.algPin ? { token_endpoint_auth_signing_alg: client.algPin } : {}),
    ...(client.contact ? { contacts: client.contact.split(', ') } : {}),
    registration_client_uri: `${ctx.issuer}/register/${encodeURIComponent(client.clientId)}`,
  };
}

/**
 * Reads the JSON metadata body of the request of `c` (at most `server.maxBodyBytes`, through the
 * shared body reader: a declared length above the cap is refused unread, a longer stream is cut off
 * at the cap), refusing other content types. The caller checks its credential before calling this.
 */
export async function readMetadataBody(ctx: ServerContext, c: RequestContext): Promise<unknown> {
  const type = (c.req.raw.headers.get('content-type') ?? '').split(';', 1)[0]!.trim().toLowerCase();
  // RFC 7591 §3.1: the metadata is sent as application/json.
  if (type !== 'application/json') throw metadataError('send the client metadata as application/json (RFC 7591 §3.1)');
  const text = await readContextBody(c, ctx.config.server.maxBodyBytes);
  try {
    return JSON.parse(text);
  } catch {
    throw metadataError('the body is not valid JSON');
  }
}


/** Maps refusals of the registry to RFC 7591 answers. */
export function registrationErrorResponse(ctx: ServerContext, error: unknown): Response {
  if (error instanceof RegistryError) {
    return jsonNoStore({ error: 'invalid_client_metadata', error_description: error.message }, 400);
  }
  if (error instanceof KeyError) return jsonNoStore({ error: 'invalid_client_metadata', error_description: `jwks refused: ${error.message}` }, 400);
  if (error instanceof OAuthError && (error.reason === 'metadata_invalid' || error.reason === 'redirect_uri_invalid')) return jsonNoStore({ error: error.error, error_description: error.description }, 400);
  const bearer = error instanceof OAuthError && (error.reason.startsWith('token_'));
  return errorResponse(error, ctx.logger, bearer ? { bearer: true } : {});
}

/** Registers POST /register. */
export function registerRegistrationRoute(app: Hono, ctx: ServerContext, options: RegistrationOptions = {}): void {
  app.post('/register', async (c) => {
    try {
      // RFC 7591 §3: the endpoint is protected by an initial access token (RFC 6750 answers).
      const token = readRequestBearer(c.req.raw, 'send Authorization: Bearer <initial access token> (an admin creates one with `keyward initial-access-token create`)');
      // The token is checked (without using it up) BEFORE the body is read: an unauthenticated
      // upload is refused 401 unread, whatever its size.
      const registry = registryFor(c, ctx);
      const usable = await findInitialAccessToken(registry, token);
      if (usable === undefined) throw new OAuthError('token_invalid', { detail: 'the initial access token is unknown, expired or used up' });
      const metadata = validateClientMetadata(await readMetadataBody(ctx, c));
      // RFC 7591 §3: the initial access token limits this registration, and every later RFC 7592 change.
      const limits = registrationLimitsFor(usable.scopes);
      checkWithinRegistrationLimits(limits, metadata);
      checkRegistrationRedirectUris(ctx, metadata);
      if (metadata.jwksUri !== undefined) checkJwksUriSyntax(metadata.jwksUri, options.jwksUriAllowHosts ?? []);
      // One use is consumed only now that the metadata is valid (atomically: the last use goes once).
      const grant = await consumeInitialAccessToken(registry, token);
      if (grant === undefined) throw new OAuthError('token_invalid', { detail: 'the initial access token is unknown, expired or used up' });
      const registrationToken = generateSecret();
      const { client, keys } = await createClient(registry, {
        actor: `initial-access-token:${grant.id}`,
        name: metadata.clientName,
        accessTokenTtl: ctx.config.tokens.accessTokenTtl,
        grantTypes: metadata.grantTypes,
        scopes: metadata.scopes,
        ...(metadata.keys ? { keys: metadata.keys } : {}),
        ...(metadata.jwksUri !== undefined ? { jwksUri: metadata.jwksUri, jwksUriAllowHosts: options.jwksUriAllowHosts ?? [] } : {}),
        ...(metadata.algPin ? { algPin: metadata.algPin } : {}),
        ...(metadata.contacts?.length ? { contact: metadata.contacts.join(', ') } : {}),
        registrationTokenHash: hashSecret(registrationToken),
        registrationLimits: limits,
        authorization: metadata.authorization,
        authorizationPolicy: authorizationPolicyOf(ctx.config),
      });
      // RFC 7591 §3.2.1 + RFC 7592 §3: the registration access token is returned once.
      return jsonNoStore({ ...clientInformation(ctx, client, keys), registration_access_token: registrationToken }, 201);
    } catch (error) {
      return registrationErrorResponse(ctx, error);
    }
  });
}
