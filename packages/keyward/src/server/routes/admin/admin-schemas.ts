/**
 * zod schemas of the admin API bodies (unknown fields refused), and the reader that applies them.
 * The OpenAPI document (openapi-document.ts) describes the same shapes.
 */
import { z } from 'zod';
import { OAuthError } from '@keyward/core';
import { readContextBody, type RequestContext } from '../../middleware/read-body.ts';
import type { AuthorizationFieldsInput } from '../../services/registry/authorization-fields.ts';

const keyInput = z.union([z.string().min(1).max(65536), z.record(z.string(), z.unknown())]);
const isoDate = z.iso.datetime({ offset: true });

/** The authorization-code flow fields of a client (wire names), shared by create and update. */
const authorizationFields = {
  redirect_uris: z.array(z.string()).optional(),
  post_logout_redirect_uris: z.array(z.string()).optional(),
  response_types: z.array(z.string()).optional(),
  id_token_signed_response_alg: z.string().nullable().optional(),
  require_pushed_authorization_requests: z.boolean().optional(),
  consent: z.string().optional(),
};

/** The registry's input of the authorization fields of an admin body. */
export function toAuthorizationInput(body: { [K in keyof typeof authorizationFields]?: z.infer<(typeof authorizationFields)[K]> }): AuthorizationFieldsInput | undefined {
  const input: AuthorizationFieldsInput = {
    ...(body.redirect_uris !== undefined ? { redirectUris: body.redirect_uris } : {}),
    ...(body.post_logout_redirect_uris !== undefined ? { postLogoutRedirectUris: body.post_logout_redirect_uris } : {}),
    ...(body.response_types !== undefined ? { responseTypes: body.response_types } : {}),
    ...(body.id_token_signed_response_alg !== undefined ? { idTokenSignedResponseAlg: body.id_token_signed_response_alg } : {}),
    ...(body.require_pushed_authorization_requests !== undefined ? { requirePushedAuthorizationRequests: body.require_pushed_authorization_requests } : {}),
    ...(body.consent !== undefined ? { consent: body.consent } : {}),
  };
  return Object.keys(input).length > 0 ? input : undefined;
}

/** POST /clients. */
export const createClientBody = z.strictObject({
  client_id: z.string().optional(),
  client_name: z.string(),
  contact: z.string().optional(),
  description: z.string().optional(),
  grant_types: z.array(z.string()).optional(),
  scope: z.string().optional(),
  access_token_ttl: z.number().int().optional(),
  audience_policy: z.enum(['strict', 'legacy']).optional(),
  alg_pin: z.string().optional(),
  keys: keyInput.optional(),
  jwks_uri: z.string().optional(),
  not_before: isoDate.optional(),
  not_after: isoDate.optional(),
  ...authorizationFields,
});

/** PATCH /clients/{client_id}; `null` clears an optional field. */
export const updateClientBody = z.strictObject({
  client_name: z.string().optional(),
  contact: z.string().nullable().optional(),
  description: z.string().nullable().optional(),
  grant_types: z.array(z.string()).optional(),
  scope: z.string().optional(),
  access_token_ttl: z.number().int().optional(),
  audience_policy: z.enum(['strict', 'legacy']).optional(),
  alg_pin: z.string().nullable().optional(),
  jwks_uri: z.string().nullable().optional(),
  ...authorizationFields,
});

/** POST /clients/{client_id}/keys. */
export const addKeysBody = z.strictObject({
  keys: keyInput,
  not_before: isoDate.optional(),
  not_after: isoDate.optional(),
});

/** POST /clients/{client_id}/keys/rotate. */
export const rotateKeyBody = z.strictObject({
  keys: keyInput,
  old_key: z.string().optional(),
  overlap_seconds: z.number().int().min(0).optional(),
  not_before: isoDate.optional(),
  not_after: isoDate.optional(),
});

/** POST /initial-access-tokens. */
export const createInitialAccessTokenBody = z.strictObject({
  expires_in: z.number().int().min(1).optional(),
  uses: z.number().int().min(1).nullable().optional(),
  scope: z.string().optional(),
});

/**
 * Reads the JSON body of the request of `c` (at most `maxBytes`, through the shared body reader)
 * and checks it with `schema`. Throws OAuthError 'body_too_large' / 'content_type_unsupported' /
 * 'request_malformed', SyntaxError for bad JSON, ZodError for a bad shape. The admin token is
 * checked before (admin-app.ts middleware), so an unauthenticated body is never read.
 */
export async function readJsonBody<T extends z.ZodType>(c: RequestContext, schema: T, maxBytes: number): Promise<z.infer<T>> {
  const type = (c.req.raw.headers.get('content-type') ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new OAuthError('content_type_unsupported', { detail: 'send the body as application/json', description: 'the body must be application/json' });
  const text = await readContextBody(c, maxBytes);
  return schema.parse(JSON.parse(text)) as z.infer<T>;
}

/** `scope` string → list. */
export function splitScope(scope: string | undefined): string[] | undefined {
  return scope === undefined ? undefined : scope.split(' ').filter((s) => s !== '');
}

/** ISO date → Date (undefined stays undefined). */
export function toDate(value: string | undefined): Date | undefined {
  return value === undefined ? undefined : new Date(value);
}
