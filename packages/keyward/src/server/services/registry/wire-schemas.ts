/**
 * The request bodies of the registry's wire (the admin API, and the CLI's `--server` mode, which
 * sends the same bodies): zod schemas with unknown fields refused, wire names in snake_case. The
 * admin API validates every body with these, and its OpenAPI document is generated from them
 * (routes/admin/openapi-document.ts), so the two cannot drift.
 *
 * The schemas check the shape only (types, required fields, no unknown field). The field rules
 * (client id syntax, grant types, scope tokens, lifetimes, jwks_uri) stay in one place,
 * validate-client-fields.ts, with their messages; the schemas document them for the OpenAPI reader
 * with `meta` taken from those same constants, and do NOT enforce them a second time.
 */
import { z } from 'zod';
import { CHOSEN_CLIENT_ID, KNOWN_GRANT_TYPES } from './validate-client-fields.ts';

const keyInput = z.union([z.string().min(1).max(65536), z.record(z.string(), z.unknown())]).meta({
  description: 'PEM public key(s) or certificate(s) as text, or a JWK or JWKS object. Private and symmetric keys are refused.',
});
const isoDate = z.iso.datetime({ offset: true });
// RFC 3986 §2.3 unreserved characters, starting with a letter or digit (checkClientId).
const chosenClientId = z.string().meta({ pattern: CHOSEN_CLIENT_ID.source, description: 'a chosen id; leave it out to get a random one' });
// RFC 7591 §2 grant_types: the values the token endpoint implements (checkGrantTypes).
const grantTypes = z.array(z.string().meta({ enum: [...KNOWN_GRANT_TYPES] }));
const keyMaxAgeDays = z.number().int().meta({ description: 'days after which the client\'s keys are due for rotation (the key_age alert); null: the server\'s keys.maxAge' });
const jwksUri = z.string().meta({ format: 'uri', description: 'an https URL serving the client\'s JWKS (RFC 7591 §2)' });

// Fields a client is created with and can change later, with the same meaning and shape both times;
// the authorization-code flow's (RFC 7591 §2) included, checked by authorization-fields.ts.
const changeableFields = {
  grant_types: grantTypes.optional(),
  scope: z.string().optional(),
  access_token_ttl: z.number().int().optional(),
  audience_policy: z.enum(['strict', 'legacy']).optional(),
  redirect_uris: z.array(z.string()).meta({ description: 'absolute https URLs compared character for character (RFC 6749 §3.1.2); no fragment, no wildcard' }).optional(),
  post_logout_redirect_uris: z.array(z.string()).optional(),
  response_types: z.array(z.string().meta({ enum: ['code'] })).optional(),
  require_pushed_authorization_requests: z.boolean().optional(),
  consent: z.string().meta({ enum: ['required', 'implicit'], description: 'required: the user is asked; implicit: a first-party client, never asked' }).optional(),
};

/** POST /clients. */
export const createClientBody = z.strictObject({
  client_id: chosenClientId.optional(),
  client_name: z.string(),
  contact: z.string().optional(),
  description: z.string().optional(),
  ...changeableFields,
  alg_pin: z.string().optional(),
  id_token_signed_response_alg: z.string().optional(),
  key_max_age_days: keyMaxAgeDays.optional(),
  keys: keyInput.optional(),
  jwks_uri: jwksUri.optional(),
  not_before: isoDate.optional(),
  not_after: isoDate.optional(),
});

/** PATCH /clients/{client_id}; `null` clears an optional field. */
export const updateClientBody = z.strictObject({
  client_name: z.string().optional(),
  contact: z.string().nullable().optional(),
  description: z.string().nullable().optional(),
  ...changeableFields,
  alg_pin: z.string().nullable().optional(),
  id_token_signed_response_alg: z.string().nullable().optional(),
  key_max_age_days: keyMaxAgeDays.nullable().optional(),
  jwks_uri: jwksUri.nullable().optional(),
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
  old_key: z.string().meta({ description: 'thumbprint or kid; default every active key' }).optional(),
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

/** Create-client fields, wire names (the body of POST /clients). */
export type CreateClientWire = z.input<typeof createClientBody>;
/** Update fields, wire names (the body of PATCH /clients/{client_id}); `null` clears. */
export type UpdateClientWire = z.input<typeof updateClientBody>;
/** Key material and validity, wire names (the body of POST /clients/{client_id}/keys). */
export type AddKeysWire = z.input<typeof addKeysBody>;
/** A rotation, wire names (the body of POST /clients/{client_id}/keys/rotate). */
export type RotateKeyWire = z.input<typeof rotateKeyBody>;
/** An initial access token request, wire names (the body of POST /initial-access-tokens). */
export type CreateInitialAccessTokenWire = z.input<typeof createInitialAccessTokenBody>;
