/**
 * The OpenAPI 3.1 document of the admin API, served at /admin/v1/openapi.json. Hand-written (no
 * generator is installed); test/registry/admin-api.test.ts checks that every route of the admin
 * sub-app appears here and nothing else.
 */
import { CHOSEN_CLIENT_ID } from '../../services/registry/validate-client-fields.ts';

type Schema = Record<string, unknown>;

/** An OpenAPI operation (the subset used here). */
export interface OpenApiOperation {
  readonly operationId: string;
  readonly summary: string;
  readonly tags: readonly string[];
  readonly parameters?: readonly Schema[];
  readonly requestBody?: Schema;
  readonly responses: Readonly<Record<string, Schema>>;
  readonly security?: readonly Schema[];
}

/** The OpenAPI 3.1 document (the subset used here). */
export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly info: { readonly title: string; readonly version: string; readonly description: string };
  readonly servers: readonly { url: string }[];
  readonly paths: Readonly<Record<string, Readonly<Partial<Record<'get' | 'post' | 'patch' | 'put' | 'delete', OpenApiOperation>>>>>;
  readonly components: { readonly schemas: Readonly<Record<string, Schema>>; readonly securitySchemes: Readonly<Record<string, Schema>> };
  readonly security: readonly Schema[];
}

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Schema, description = 'OK'): Schema => ({ description, content: { 'application/json': { schema } } });
const body = (name: string): Schema => ({ required: true, content: { 'application/json': { schema: ref(name) } } });
const errors: Record<string, Schema> = {
  400: json(ref('Error'), 'invalid request, invalid key or invalid field (the description says what to fix)'),
  401: json(ref('Error'), 'no, invalid, expired or revoked admin token (RFC 6750 §3.1)'),
  403: json(ref('Error'), 'the token lacks the keyward:admin scope (RFC 6750 §3.1 insufficient_scope)'),
};
const notFound: Record<string, Schema> = { 404: json(ref('Error'), 'no such client or key') };
const clientIdParam: Schema = { name: 'client_id', in: 'path', required: true, schema: { type: 'string' } };
const keyParam: Schema = { name: 'key', in: 'path', required: true, description: 'thumbprint or kid', schema: { type: 'string' } };
const keyInput: Schema = { description: 'PEM public key(s) or certificate(s) as text, or a JWK or JWKS object. Private and symmetric keys are refused.', oneOf: [{ type: 'string' }, { type: 'object' }] };
const dateTime: Schema = { type: 'string', format: 'date-time' };
const subParam: Schema = { name: 'sub', in: 'path', required: true, description: 'the end user\'s subject identifier', schema: { type: 'string' } };
/** The authorization-code flow fields of a client (create and update). */
const authorizationFieldSchemas: Record<string, Schema> = {
  redirect_uris: { type: 'array', items: { type: 'string' }, description: 'exact https redirection URIs (http loopback only with clients.allowLoopbackRedirectUris)' },
  post_logout_redirect_uris: { type: 'array', items: { type: 'string' } },
  response_types: { type: 'array', items: { enum: ['code'] } },
  id_token_signed_response_alg: { type: ['string', 'null'] },
  require_pushed_authorization_requests: { type: 'boolean' },
  consent: { enum: ['required', 'implicit'] },
};

function op(operationId: string, summary: string, tag: string, responses: Record<string, Schema>, extra: Partial<OpenApiOperation> = {}): OpenApiOperation {
  return { operationId, summary, tags: [tag], responses: { ...responses, ...errors }, ...extra };
}

/** The document; `issuer` gives the server URL. */
export function buildAdminOpenApi(issuer: string): OpenApiDocument {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Keyward admin API',
      version: '1',
      description: 'Clients, keys, initial access tokens and the audit log. Authenticate with a Bearer access token that carries the scope keyward:admin, issued by this server to an admin client that authenticates with private_key_jwt (see docs/admin-api.md).',
    },
    servers: [{ url: `${issuer}/admin/v1` }],
    security: [{ adminToken: ['keyward:admin'] }],
    paths: {
      '/clients': {
        get: op('listClients', 'List clients', 'clients', { 200: json({ type: 'object', properties: { clients: { type: 'array', items: ref('Client') }, next_after: { type: 'string' } } }) }, {
          parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000 } }, { name: 'after', in: 'query', schema: { type: 'string' } }],
        }),
        post: op('createClient', 'Create a client (with keys or a jwks_uri)', 'clients', { 201: json(ref('ClientWithKeys'), 'created'), 409: json(ref('Error'), 'client_id taken') }, { requestBody: body('CreateClient') }),
      },
      '/users/{sub}/consents': {
        get: op('listConsents', 'The consents an end user gave to clients', 'consents', { 200: json({ type: 'object', properties: { consents: { type: 'array', items: ref('Consent') } } }) }, { parameters: [subParam] }),
      },
      '/users/{sub}/consents/{client_id}': {
        delete: op('revokeConsent', 'Revoke a consent, with the refresh and access tokens issued under it', 'consents', { 200: json({ type: 'object', properties: { revoked: { type: 'boolean' }, refresh_token_grants_revoked: { type: 'integer' }, tokens_revoked: { type: 'integer' } } }), 404: json(ref('Error'), 'no such consent') }, { parameters: [subParam, clientIdParam] }),
      },
      '/clients/{client_id}': {
        get: op('getClient', 'Read a client and its keys', 'clients', { 200: json(ref('ClientWithKeys')), ...notFound }, { parameters: [clientIdParam] }),
        patch: op('updateClient', 'Update a client (null clears an optional field)', 'clients', { 200: json(ref('Client')), ...notFound }, { parameters: [clientIdParam], requestBody: body('UpdateClient') }),
        delete: op('deleteClient', 'Delete a client, its keys, and revoke its tokens', 'clients', { 200: json({ type: 'object', properties: { deleted: { type: 'boolean' }, tokens_revoked: { type: 'integer' } } }), ...notFound }, { parameters: [clientIdParam] }),
      },
      '/clients/{client_id}/disable': {
        post: op('disableClient', 'Disable a client at once (its tokens are revoked)', 'clients', { 200: json(ref('Client')), ...notFound }, { parameters: [clientIdParam] }),
      },
      '/clients/{client_id}/enable': {
        post: op('enableClient', 'Enable a client', 'clients', { 200: json(ref('Client')), ...notFound }, { parameters: [clientIdParam] }),
      },
      '/clients/{client_id}/keys': {
        get: op('listKeys', 'List a client\'s keys with their facts', 'keys', { 200: json({ type: 'object', properties: { keys: { type: 'array', items: ref('Key') } } }), ...notFound }, { parameters: [clientIdParam] }),
        post: op('addKeys', 'Add keys (PEM, certificate, JWK or JWKS)', 'keys', { 201: json({ type: 'object', properties: { keys: { type: 'array', items: ref('Key') } } }, 'added'), 409: json(ref('Error'), 'key already registered'), ...notFound }, { parameters: [clientIdParam], requestBody: body('AddKeys') }),
      },
      '/clients/{client_id}/keys/rotate': {
        post: op('rotateKey', 'Add a new key and schedule the old one\'s retirement', 'keys', { 201: json({ type: 'object', properties: { added: { type: 'array', items: ref('Key') }, retiring: { type: 'array', items: ref('Key') } } }, 'rotated'), ...notFound }, { parameters: [clientIdParam], requestBody: body('RotateKey') }),
      },
      '/clients/{client_id}/keys/{key}/revoke': {
        post: op('revokeKey', 'Revoke a key at once (tokens issued through it stop passing introspection)', 'keys', { 200: json(ref('Key')), ...notFound }, { parameters: [clientIdParam, keyParam] }),
      },
      '/initial-access-tokens': {
        get: op('listInitialAccessTokens', 'List initial access tokens (never the secret)', 'registration', { 200: json({ type: 'object', properties: { initial_access_tokens: { type: 'array', items: ref('InitialAccessToken') } } }) }),
        post: op('createInitialAccessToken', 'Create an initial access token for RFC 7591 registration (shown once)', 'registration', { 201: json(ref('InitialAccessToken'), 'created; initial_access_token is shown only here') }, { requestBody: body('CreateInitialAccessToken') }),
      },
      '/audit': {
        get: op('queryAudit', 'Query the audit log', 'audit', { 200: json({ type: 'object', properties: { events: { type: 'array', items: ref('AuditEvent') } } }) }, {
          parameters: [
            ...['client_id', 'type', 'reason'].map((name): Schema => ({ name, in: 'query', schema: { type: 'string' } })),
            { name: 'since', in: 'query', schema: dateTime },
            { name: 'limit', in: 'query', schema: { type: 'integer' } },
          ],
        }),
      },
      '/openapi.json': {
        get: { operationId: 'getOpenApi', summary: 'This document', tags: ['meta'], security: [], responses: { 200: json({ type: 'object' }) } },
      },
    },
    components: {
      securitySchemes: {
        adminToken: { type: 'oauth2', description: 'private_key_jwt client credentials at the token endpoint, scope keyward:admin', flows: { clientCredentials: { tokenUrl: `${issuer}/token`, scopes: { 'keyward:admin': 'administer clients, keys and registration' } } } },
      },
      schemas: {
        Error: { type: 'object', required: ['error', 'error_description'], properties: { error: { type: 'string' }, error_description: { type: 'string' }, key_error: { type: 'string' } } },
        Client: {
          type: 'object',
          properties: {
            client_id: { type: 'string' }, client_name: { type: 'string' }, contact: { type: 'string' }, description: { type: 'string' },
            grant_types: { type: 'array', items: { type: 'string' } }, scope: { type: 'string' }, access_token_ttl: { type: 'integer' },
            audience_policy: { enum: ['strict', 'legacy'] }, alg_pin: { type: 'string' }, state: { enum: ['enabled', 'disabled'] },
            jwks_uri: { type: 'string', format: 'uri' }, registered_dynamically: { type: 'boolean' }, created_at: dateTime, updated_at: dateTime,
            redirect_uris: { type: 'array', items: { type: 'string', format: 'uri' } }, post_logout_redirect_uris: { type: 'array', items: { type: 'string', format: 'uri' } },
            response_types: { type: 'array', items: { enum: ['code'] } }, id_token_signed_response_alg: { type: 'string' },
            require_pushed_authorization_requests: { type: 'boolean' }, consent: { enum: ['required', 'implicit'] },
          },
        },
        Consent: {
          type: 'object',
          properties: { sub: { type: 'string' }, client_id: { type: 'string' }, scope: { type: 'string' }, created_at: dateTime, updated_at: dateTime },
        },
        ClientWithKeys: { allOf: [ref('Client'), { type: 'object', properties: { keys: { type: 'array', items: ref('Key') } } }] },
        Key: {
          type: 'object',
          properties: {
            kid: { type: 'string' }, thumbprint: { type: 'string', description: 'RFC 7638 SHA-256, base64url' }, kty: { type: 'string' }, alg: { type: 'string' },
            bits: { type: 'integer' }, crv: { type: 'string' }, state: { enum: ['active', 'retiring', 'revoked'] }, created_at: dateTime,
            not_before: dateTime, not_after: dateTime, retire_at: dateTime, revoked_at: dateTime, certificate_subject: { type: 'string' }, jwk: { type: 'object' },
          },
        },
        CreateClient: {
          type: 'object', required: ['client_name'], additionalProperties: false,
          properties: {
            client_id: { type: 'string', pattern: CHOSEN_CLIENT_ID.source }, client_name: { type: 'string' }, contact: { type: 'string' }, description: { type: 'string' },
            grant_types: { type: 'array', items: { enum: ['client_credentials', 'urn:ietf:params:oauth:grant-type:jwt-bearer', 'authorization_code', 'refresh_token'] } }, scope: { type: 'string' },
            access_token_ttl: { type: 'integer' }, audience_policy: { enum: ['strict', 'legacy'] }, alg_pin: { type: 'string' }, keys: keyInput,
            jwks_uri: { type: 'string', format: 'uri' }, not_before: dateTime, not_after: dateTime, ...authorizationFieldSchemas,
          },
        },
        UpdateClient: {
          type: 'object', additionalProperties: false,
          properties: {
            client_name: { type: 'string' }, contact: { type: ['string', 'null'] }, description: { type: ['string', 'null'] },
            grant_types: { type: 'array', items: { type: 'string' } }, scope: { type: 'string' }, access_token_ttl: { type: 'integer' },
            audience_policy: { enum: ['strict', 'legacy'] }, alg_pin: { type: ['string', 'null'] }, jwks_uri: { type: ['string', 'null'] },
            ...authorizationFieldSchemas,
          },
        },
        AddKeys: { type: 'object', required: ['keys'], additionalProperties: false, properties: { keys: keyInput, not_before: dateTime, not_after: dateTime } },
        RotateKey: {
          type: 'object', required: ['keys'], additionalProperties: false,
          properties: { keys: keyInput, old_key: { type: 'string', description: 'thumbprint or kid; default every active key' }, overlap_seconds: { type: 'integer', minimum: 0 }, not_before: dateTime, not_after: dateTime },
        },
        CreateInitialAccessToken: { type: 'object', additionalProperties: false, properties: { expires_in: { type: 'integer', minimum: 1 }, uses: { type: ['integer', 'null'], minimum: 1 }, scope: { type: 'string' } } },
        InitialAccessToken: { type: 'object', properties: { id: { type: 'string' }, created_at: dateTime, expires_at: dateTime, uses_left: { type: 'integer' }, scope: { type: 'string' }, initial_access_token: { type: 'string' } } },
        AuditEvent: {
          type: 'object',
          properties: { id: { type: 'integer' }, time: dateTime, type: { type: 'string' }, client_id: { type: 'string' }, key_thumbprint: { type: 'string' }, reason: { type: 'string' }, source_address: { type: 'string' }, actor: { type: 'string' }, details: { type: 'object' } },
        },
      },
    },
  };
}
