/**
 * The access token of a UserInfo request (OIDC Core §5.3.1): in the Authorization header as a Bearer
 * token (RFC 6750 §2.1), or, on POST, as the form-encoded body parameter `access_token` (RFC 6750
 * §2.2), and never both (RFC 6750 §2: "Clients MUST NOT use more than one method to transmit the
 * token in each request").
 */
import { OAuthError } from '@keyward/core';
import type { FormParameters } from '../middleware/read-form.ts';
import { readRequestBearer } from './authenticate-server-request.ts';

/** The instruction a request without a token gets. */
const INSTRUCTION = 'send Authorization: Bearer <access token>, or POST the form parameter access_token';

/** True when a POST's body is form-encoded (RFC 6750 §2.2: the only body a token may travel in). */
export function isFormBody(request: Request): boolean {
  const type = (request.headers.get('content-type') ?? '').split(';', 1)[0]!.trim().toLowerCase();
  return request.method === 'POST' && type === 'application/x-www-form-urlencoded';
}

/**
 * Returns the token of `request`. `form` is its parsed body when {@link isFormBody} (GET never
 * carries one: RFC 6750 §2.2 "the GET method MUST NOT be used"). A body token goes through the same
 * Bearer reader as a header token (b64token syntax, no `access_token` in the query).
 *
 * Throws OAuthError: 'request_malformed' (400 invalid_request) when the header and the body both
 * carry a token, or the token is malformed; 'token_missing' (401) when neither does. Does NOT check
 * the token itself (check-access-token.ts does).
 */
export function readUserInfoToken(request: Request, form: FormParameters | undefined): string {
  const bodyToken = form?.get('access_token');
  if (bodyToken === undefined) return readRequestBearer(request, INSTRUCTION);
  // RFC 6750 §2: exactly one method per request.
  if (request.headers.has('authorization')) {
    throw new OAuthError('request_malformed', { detail: 'the access token was sent both in the Authorization header and in the body: send it one way only (RFC 6750 §2)' });
  }
  return readRequestBearer(new Request(request.url, { headers: { authorization: `Bearer ${bodyToken}` } }), INSTRUCTION);
}
