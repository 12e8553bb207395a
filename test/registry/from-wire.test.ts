/**
 * The one wire → registry mapping (services/registry/from-wire.ts), used by the admin API routes and
 * the CLI's registry commands: absent fields stay absent (the registry's default or the current value
 * applies), `null` clears on update, `scope` is split on spaces (RFC 6749 §3.3), the configured
 * defaults fill what the body leaves out, and dates become Dates.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addKeysInputFromWire, clientUpdateFromWire, createClientInputFromWire, initialAccessTokenInputFromWire, rotateKeyInputFromWire,
  type WireContext,
} from '../../packages/keyward/src/server/services/registry/index.ts';

const context: WireContext = { actor: 'admin-1', jwksUriAllowHosts: ['127.0.0.1'], accessTokenTtl: 300, rotationOverlap: 3600, authorizationPolicy: {} };

test('create: every wire field maps to its registry name; the configured lifetime fills a missing access_token_ttl', () => {
  assert.deepEqual(createClientInputFromWire({ client_name: 'Billing' }, context), { actor: 'admin-1', name: 'Billing', accessTokenTtl: 300, keyValidity: {} });
  assert.deepEqual(createClientInputFromWire({
    client_name: 'Billing', client_id: 'billing-1', contact: 'it@example.com', description: 'd', grant_types: ['client_credentials'],
    scope: ' read  write ', access_token_ttl: 60, audience_policy: 'legacy', alg_pin: 'ES256', jwks_uri: 'https://example.com/jwks',
    not_before: '2030-01-01T00:00:00Z', not_after: '2031-01-01T00:00:00Z',
  }, context), {
    actor: 'admin-1', name: 'Billing', clientId: 'billing-1', contact: 'it@example.com', description: 'd', grantTypes: ['client_credentials'],
    scopes: ['read', 'write'], accessTokenTtl: 60, audiencePolicy: 'legacy', algPin: 'ES256',
    jwksUri: 'https://example.com/jwks', jwksUriAllowHosts: ['127.0.0.1'],
    keyValidity: { notBefore: new Date('2030-01-01T00:00:00Z'), notAfter: new Date('2031-01-01T00:00:00Z') },
  });
  // An empty string is a value (the registry judges it), not an absent field.
  assert.equal(createClientInputFromWire({ client_name: 'x', contact: '' }, context).contact, '');
});

test('update: absent keeps, null clears, scope "" is an empty list', () => {
  assert.deepEqual(clientUpdateFromWire({}, context), {});
  assert.deepEqual(clientUpdateFromWire({ contact: null, description: null, alg_pin: null, jwks_uri: null, scope: '' }, context), {
    contact: null, description: null, algPin: null, jwksUri: null, jwksUriAllowHosts: ['127.0.0.1'], scopes: [],
  });
});

test('keys and initial access tokens: validity dates, the configured rotation overlap, uses null = unlimited', () => {
  assert.deepEqual(addKeysInputFromWire('c1', { keys: 'PEM' }, context), { clientId: 'c1', keys: 'PEM', validity: {}, actor: 'admin-1' });
  assert.deepEqual(rotateKeyInputFromWire('c1', { keys: 'PEM', old_key: 'k0' }, context), { clientId: 'c1', keys: 'PEM', overlapSeconds: 3600, validity: {}, actor: 'admin-1', oldKey: 'k0' });
  assert.equal(rotateKeyInputFromWire('c1', { keys: 'PEM', overlap_seconds: 0 }, context).overlapSeconds, 0);
  assert.deepEqual(initialAccessTokenInputFromWire({ uses: null, expires_in: 60, scope: 'a b' }, context), { actor: 'admin-1', uses: null, expiresInSeconds: 60, scopes: ['a', 'b'] });
  assert.deepEqual(initialAccessTokenInputFromWire({}, context), { actor: 'admin-1' });
});
