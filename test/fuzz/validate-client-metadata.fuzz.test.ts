// Property-based fuzzing of the RFC 7591 §2 registration metadata validator (validateClientMetadata
// in src/server/routes/oauth/register.ts): any JSON value, and metadata objects whose every field
// may have the wrong type or a wrong value (JWK sets with private, symmetric, small or broken keys),
// is either accepted or refused with 'metadata_invalid' (RFC 7591 §3.2.2), never a TypeError; and
// what it accepts keeps the rules: private_key_jwt only, known grant types, no authorization
// endpoint fields, and (with the registration limits of the registry) scopes inside what the initial
// access token allows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { validateClientMetadata, type ValidatedMetadata } from '../../packages/keyward/src/server/routes/oauth/register.ts';
import { checkWithinRegistrationLimits, KNOWN_GRANT_TYPES, registrationLimitsFor, RegistryError } from '../../packages/keyward/src/server/services/registry/index.ts';
import { expectRefusal, fuzzParameters, withinBudget } from './fuzz-settings.ts';

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const smallRsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
const publicJwk = ec.publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
const privateJwk = ec.privateKey.export({ format: 'jwk' }) as Record<string, unknown>;
const JWKS = [
  { keys: [publicJwk] },
  { keys: [{ ...publicJwk, kid: 'k1', alg: 'ES256', use: 'sig' }] },
  { keys: [{ ...publicJwk, alg: 'RS256' }] },
  { keys: [privateJwk] },
  { keys: [smallRsa.publicKey.export({ format: 'jwk' })] },
  { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] },
  { keys: [{ ...publicJwk, x: 'AAAA' }] },
  { keys: [{ ...publicJwk, crv: 'P-999' }] },
  { keys: [{ kty: 'RSA', n: '', e: '' }] },
  { keys: [{ kty: 'EC' }] },
  { keys: [{}] },
  { keys: [null] },
  { keys: [[]] },
  { keys: ['x'] },
  { keys: [] },
  { keys: {} },
  { keys: [publicJwk, publicJwk] },
  {},
  [],
  'jwks',
  null,
];
const anyValue = fc.jsonValue({ maxDepth: 2 });
const scope = fc.oneof(
  fc.array(fc.constantFrom('read', 'write', 'keyward:admin', 'keyward:keys.read', 'a"b', 'é', 'x\\y', '', 'read'), { maxLength: 4 }).map((s) => s.join(' ')),
  fc.constantFrom('read  write', ' read', 'read\twrite', 'read\nwrite'),
  anyValue,
);
const metadata = fc.record({
  token_endpoint_auth_method: fc.oneof(fc.constantFrom('private_key_jwt', 'client_secret_basic', 'none'), anyValue),
  jwks: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...JWKS) }, { weight: 1, arbitrary: anyValue }),
  jwks_uri: fc.oneof(fc.constantFrom('https://client.example/jwks', 'http://127.0.0.1/jwks', 'not a url', ''), anyValue),
  grant_types: fc.oneof(fc.array(fc.constantFrom(...KNOWN_GRANT_TYPES, 'authorization_code', 'password', ''), { maxLength: 3 }), anyValue),
  response_types: fc.oneof(fc.constantFrom([], ['code']), anyValue),
  redirect_uris: fc.oneof(fc.constantFrom([], ['https://client.example/cb']), anyValue),
  scope,
  token_endpoint_auth_signing_alg: fc.oneof(fc.constantFrom('ES256', 'RS256', 'EdDSA', 'none', 'HS256', 'es256'), anyValue),
  client_name: fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('   ', 'x'.repeat(201)), anyValue),
  contacts: fc.oneof(fc.array(fc.string({ maxLength: 10 }), { maxLength: 2 }), anyValue),
  ['__proto__']: anyValue,
  extra: anyValue,
}, { requiredKeys: [] });
/** Valid metadata with one field replaced by a fuzzed one (reaches the rules behind the first refusal). */
const nearlyValid = fc.tuple(metadata, fc.constantFrom('jwks', 'grant_types', 'scope', 'token_endpoint_auth_signing_alg', 'client_name', 'contacts', 'response_types'))
  .map(([fuzzed, field]) => ({ jwks: { keys: [publicJwk] }, scope: 'read', client_name: 'c', ...(field in fuzzed ? { [field]: (fuzzed as Record<string, unknown>)[field] } : {}) }));
const allowedScopes = fc.option(fc.subarray(['read', 'write', 'keyward:admin']), { nil: undefined });

/** The metadata rules, then the registration limits of an initial access token with `allowed` scopes (as POST /register applies them). */
function validate(input: unknown, allowed: readonly string[] | undefined): ValidatedMetadata | undefined {
  let result: ValidatedMetadata;
  try {
    result = withinBudget('validateClientMetadata', () => validateClientMetadata(input));
  } catch (error) {
    expectRefusal(error, ['metadata_invalid']);
    return undefined;
  }
  try {
    checkWithinRegistrationLimits(registrationLimitsFor(allowed), result);
    return result;
  } catch (error) {
    assert.ok(error instanceof RegistryError && error.code === 'invalid', String(error));
    return undefined;
  }
}

let accepted = 0;

test('validateClientMetadata accepts or refuses with metadata_invalid, and what it accepts keeps the rules', () => {
  fc.assert(fc.property(fc.oneof({ weight: 3, arbitrary: metadata }, { weight: 3, arbitrary: nearlyValid }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) }), allowedScopes, (input, allowed) => {
    const result = validate(input, allowed);
    if (result === undefined) return;
    accepted += 1;
    const m = input as Record<string, unknown>;
    assert.ok(m.token_endpoint_auth_method === undefined || m.token_endpoint_auth_method === 'private_key_jwt');
    assert.ok((result.keys === undefined) !== (result.jwksUri === undefined), 'exactly one of jwks and jwks_uri');
    for (const grant of result.grantTypes) assert.ok((KNOWN_GRANT_TYPES as readonly string[]).includes(grant));
    for (const s of result.scopes) {
      // RFC 6749 §3.3 scope-token characters; inside the initial access token's scopes, else outside keyward:.
      assert.match(s, /^[\x21\x23-\x5B\x5D-\x7E]+$/);
      assert.ok(allowed === undefined ? !s.startsWith('keyward:') : allowed.includes(s), s);
    }
    assert.ok(result.clientName.length > 0 && result.clientName.length <= 200);
  }), fuzzParameters<[unknown, readonly string[] | undefined]>(10_000, [
    // An empty jwks_uri once passed as "a string" and registered a client with no key at all.
    [{ jwks_uri: '' }, undefined],
  ]));
  // The generator must reach the accepting side too, or the rules above are never checked.
  assert.ok(accepted > 100, `only ${accepted} metadata objects were accepted`);
});
