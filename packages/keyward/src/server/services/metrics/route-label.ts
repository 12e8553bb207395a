/**
 * The `route` label of a request path, from a fixed list, so that the duration histogram never
 * grows with client ids, key ids or random paths sent by scanners.
 */

const EXACT = new Set(['/token', '/introspect', '/revoke', '/jwks', '/metrics', '/register', '/par', '/userinfo']);
const PREFIXES: readonly (readonly [string, string])[] = [
  ['/.well-known/', '/.well-known'],
  ['/register/', '/register/{client_id}'],
  ['/admin/', '/admin'],
  ['/authorize', '/authorize'],
  ['/end-session', '/end-session'],
  ['/console', '/console'],
  ['/resource/', '/resource'],
  ['/health', '/health'],
  ['/ready', '/ready'],
  ['/sign-in', '/sign-in'],
  ['/sign-out', '/sign-out'],
];

/** `/token` for `/token`, `/admin` for `/admin/v1/clients/abc`, `other` for anything unknown. */
export function labelRoute(path: string): string {
  if (EXACT.has(path)) return path;
  for (const [prefix, label] of PREFIXES) if (path.startsWith(prefix)) return label;
  return 'other';
}
