/**
 * The one rule for the sign-in page's `return_to` parameter: where the browser goes after signing
 * in. Only a same-origin path to the authorization endpoint is accepted, so the page can never be
 * used as an open redirector (RFC 9700 §4.11, OWASP Unvalidated Redirects): anything else sends the
 * browser to the page's own success page.
 */

/** Longest accepted `return_to` (an authorization request with its parameters fits easily). */
export const RETURN_TO_MAX_LENGTH = 4096;

/**
 * `/authorize` or `/authorize/resume` (where a request waiting for the sign-in continues,
 * routes/oauth/authorize.ts), optionally followed by `?` and a query of printable ASCII without `#`,
 * `\` or space. Anchored: no scheme, no host, no `//`, no other path (not even `/authorize/..`), no
 * fragment.
 */
const RETURN_TO = /^\/authorize(?:\/resume)?(?:\?[\x21\x22\x24-\x5b\x5d-\x7e]*)?$/;

/**
 * True when `value` may be used as `return_to`. Does NOT check the authorization request's
 * parameters: the authorization endpoint does when the browser comes back.
 */
export function isAllowedReturnTo(value: unknown): value is string {
  return typeof value === 'string' && value.length <= RETURN_TO_MAX_LENGTH && RETURN_TO.test(value);
}
