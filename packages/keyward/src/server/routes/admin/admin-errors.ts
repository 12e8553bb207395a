/**
 * Error answers of the admin API: JSON `{ error, error_description }` with no-store. Registry
 * refusals map to 404 / 409 / 400, alert refusals to 404 / 409 `alert_state_conflict` / 400, key
 * refusals to 400 `invalid_key` (with the KeyError code), bad bodies to 400 `invalid_request`
 * naming the field, token refusals to RFC 6750 §3 challenges.
 */
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { KeyError, OAuthError } from '@keyward/core';
import { errorResponse, jsonNoStore } from '../../middleware/errors.ts';
import { AlertError, type AlertErrorCode } from '../../services/alerts/alert-error.ts';
import { RegistryError, type RegistryErrorCode } from '../../services/registry/registry-error.ts';

/** The HTTP status of each refusal code of the registry and of the alert service (`invalid` is sent as `invalid_request`). */
const REFUSAL_STATUS: Readonly<Record<RegistryErrorCode | AlertErrorCode, number>> = { not_found: 404, conflict: 409, alert_state_conflict: 409, invalid: 400 };

/** The response for any error thrown by an admin handler. */
export function adminErrorResponse(error: unknown, logger: Logger): Response {
  if (error instanceof RegistryError || error instanceof AlertError) {
    return jsonNoStore({ error: error.code === 'invalid' ? 'invalid_request' : error.code, error_description: error.message }, REFUSAL_STATUS[error.code]);
  }
  if (error instanceof KeyError) return jsonNoStore({ error: 'invalid_key', key_error: error.code, error_description: error.message }, 400);
  if (error instanceof ZodError) return jsonNoStore({ error: 'invalid_request', error_description: describeZodError(error) }, 400);
  if (error instanceof SyntaxError) return jsonNoStore({ error: 'invalid_request', error_description: 'the body is not valid JSON' }, 400);
  if (error instanceof OAuthError) {
    if (error.reason === 'insufficient_scope' || error.reason.startsWith('token_')) {
      // RFC 6750 §3: WWW-Authenticate: Bearer with the error code.
      return errorResponse(error, logger, { bearer: true });
    }
    return jsonNoStore({ error: error.error, error_description: error.detail ? `${error.description}: ${error.detail}` : error.description }, error.status);
  }
  return errorResponse(error, logger);
}

/** One line per problem: `field: message`. */
export function describeZodError(error: ZodError): string {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : 'body'}: ${issue.message}`).join('; ');
}
