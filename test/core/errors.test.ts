import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OAuthError, REASONS, REASON_CODES, isReasonCode } from '../../packages/core/src/errors.ts';

test('OAuthError: the wire body carries the public description only, never the operator detail', () => {
  const error = new OAuthError('aud_mismatch', { detail: 'expected "https://as.example" but got "https://as.example/token"' });
  assert.deepEqual(error.toJSON(), { error: 'invalid_client', error_description: REASONS.aud_mismatch.description });
  assert.equal(error.status, 401);
  assert.equal(error.reason, 'aud_mismatch');
  assert.match(error.message, /expected/);
});

test('reason codes: closed list, snake_case, every code maps to a wire error and a status', () => {
  assert.ok(REASON_CODES.length > 30);
  for (const code of REASON_CODES) {
    assert.match(code, /^[a-z0-9]+(_[a-z0-9]+)*$/);
    assert.ok(REASONS[code].status >= 400 && REASONS[code].status < 600, code);
    assert.ok(REASONS[code].rfc.length > 0, code);
  }
  assert.equal(isReasonCode('jti_replayed'), true);
  assert.equal(isReasonCode('toString'), false);
  assert.equal(isReasonCode('not_a_reason'), false);
});
