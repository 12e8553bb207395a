/**
 * The OpenAPI 3.1 document of the admin API, served at /admin/v1/openapi.json. The request bodies
 * are generated from the zod schemas the routes validate with (services/registry/wire-schemas.ts),
 * by zod's own JSON Schema output in the 2020-12 dialect, the dialect of OpenAPI 3.1 Schema Objects
 * (OpenAPI 3.1.0 §4.8.24), and so is the Alert view (services/alerts/alert-wire.ts); the paths,
 * responses and the other response views are written here.
 * test/registry/admin-api.test.ts checks that every route of the admin sub-app appears here and
 * nothing else, and that each documented body is the one its route validates with.
 */
import { z } from 'zod';
import {
  addKeysBody, createClientBody, createInitialAccessTokenBody, rotateKeyBody, updateClientBody,
} from '../../services/registry/wire-schemas.ts';
import { alertView } from '../../services/alerts/alert-wire.ts';
import { ALERT_PATHS } from './alert-openapi.ts';
import { USER_PATHS, USER_SCHEMAS } from './user-openapi.ts';
import { createUserBody, setPasswordBody, updateUserBody } from '../../services/registry/user-wire-schemas.ts';

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
const body = (name: AdminRequestBodyName): Schema => ({ required: true, content: { 'application/json': { schema: ref(name) } } });
const errors: Record<string, Schema> = {
  400: json(ref('Error'), 'invalid request, invalid key or invalid field (the description says what to fix)'),
  401: json(ref('Error'), 'no, invalid, expired or revoked admin token (RFC 6750 §3.1)'),
  403: json(ref('Error'), 'the token lacks the keyward:admin scope (RFC 6750 §3.1 insufficient_scope)'),
};
const notFound: Record<string, Schema> = { 404: json(ref('Error'), 'no such client or key') };
const clientIdParam: Schema = { name: 'client_id', in: 'path', required: true, schema: { type: 'string' } };
const keyParam: Schema = { name: 'key', in: 'path', required: true, description: 'thumbprint or kid', schema: { type: 'string' } };
const dateTime: Schema = { type: 'string', format: 'date-time' };
const subParam: Schema = { name: 'sub', in: 'path', required: true, description: 'the end user\'s subject identifier', schema: { type: 'string' } };

/** The zod schema of each request body, by its name under components.schemas. */
export const ADMIN_REQUEST_BODIES = {
  CreateClient: createClientBody,
  UpdateClient: updateClientBody,
  AddKeys: addKeysBody,
  RotateKey: rotateKeyBody,
  CreateInitialAccessToken: createInitialAccessTokenBody,
  CreateUser: createUserBody,
  UpdateUser: updateUserBody,
  SetUserPassword: setPasswordBody,
} as const satisfies Record<string, z.ZodType>;

/** The name of a request body schema under components.schemas. */
export type AdminRequestBodyName = keyof typeof ADMIN_REQUEST_BODIES;

/**
 * The JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1 schema objects) of what a client may
 * send for `schema`: zod's input side, so optional fields are optional. The `$schema` member is left
 * out (the document's dialect applies).
 */
export function toOpenApiSchema(schema: z.ZodType): Schema {
  const { $schema: _dialect, ...generated } = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'throw' }) as Schema;
  return generated;
}

function op(operationId: string, summary: string, tag: string, responses: Record<string, Schema>, extra: Partial<OpenApiOperation> = {}): OpenApiOperation {
  return { operationId, summary, tags: [tag], responses: { ...responses, ...errors }, ...extra };
}

/**
 * The document; `issuer` gives the server URL. `requestBodies` is the table the request bodies are
 * generated from (the routes' schemas; a test passes another to see a change come through).
 */
export function buildAdminOpenApi(issuer: string, requestBodies: Readonly<Record<AdminRequestBodyName, z.ZodType>> = ADMIN_REQUEST_BODIES): OpenApiDocument {
  const bodies = Object.fromEntries(Object.entries(requestBodies).map(([name, schema]) => [name, toOpenApiSchema(schema)]));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Keyward admin API',
      version: '1',
      description: 'Clients, keys, end users, initial access tokens, alerts and the audit log. Authenticate with a Bearer access token that carries the scope keyward:admin, issued by this server to an admin client that authenticates with private_key_jwt (see docs/admin-api.md).',
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
        get: op('queryAudit', 'Query the audit log, newest first, a page at a time', 'audit', { 200: json({ type: 'object', properties: { events: { type: 'array', items: ref('AuditEvent') }, next_before: { type: 'integer', description: 'present when the page is full: pass it as `before` for the next page' } } }) }, {
          parameters: [
            ...['client_id', 'type', 'reason'].map((name): Schema => ({ name, in: 'query', schema: { type: 'string' } })),
            ...['since', 'until'].map((name): Schema => ({ name, in: 'query', description: `events at or ${name === 'since' ? 'after' : 'before'} this time: an ISO 8601 date-time, or a duration back from now (30s, 15m, 2h, 7d)`, schema: { type: 'string', examples: ['2026-12-01T00:00:00Z', '1h'] } })),
            { name: 'before', in: 'query', description: 'paging cursor: only events with a smaller id (next_before of the previous page)', schema: { type: 'integer', minimum: 1 } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 10000, default: 100 } },
          ],
        }),
      },
      ...USER_PATHS,
      ...ALERT_PATHS,
      '/openapi.json': {
        get: { operationId: 'getOpenApi', summary: 'This document', tags: ['meta'], security: [], responses: { 200: json({ type: 'object' }) } },
      },
    },
    components: {
      securitySchemes: {
        adminToken: { type: 'oauth2', description: 'private_key_jwt client credentials at the token endpoint, scope keyward:admin', flows: { clientCredentials: { tokenUrl: `${issuer}/token`, scopes: { 'keyward:admin': 'administer clients, keys and registration' } } } },
      },
      schemas: {
        ...USER_SCHEMAS,
        Alert: toOpenApiSchema(alertView),
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
        ...bodies,
        InitialAccessToken: { type: 'object', properties: { id: { type: 'string' }, created_at: dateTime, expires_at: dateTime, uses_left: { type: 'integer' }, scope: { type: 'string' }, initial_access_token: { type: 'string' } } },
        AuditEvent: {
          type: 'object',
          properties: { id: { type: 'integer' }, time: dateTime, type: { type: 'string' }, client_id: { type: 'string' }, key_thumbprint: { type: 'string' }, reason: { type: 'string' }, source_address: { type: 'string' }, actor: { type: 'string' }, request_id: { type: 'string', description: 'the request it happened in (X-Request-Id)' }, details: { type: 'object' } },
        },
      },
    },
  };
}
