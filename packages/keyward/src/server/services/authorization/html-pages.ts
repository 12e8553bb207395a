/**
 * The HTML pages of the authorization endpoint: the error page (a request that cannot be redirected,
 * RFC 6749 §4.1.2.1), the consent page and the logout confirmation. Every value is HTML-escaped; every page carries a strict
 * Content-Security-Policy (no script at all, its one style block allowed by a per-response nonce,
 * forms only to this server, no framing: RFC 6749 §10.13 clickjacking), no-store and no referrer.
 */
import { randomBytes } from 'node:crypto';

/** HTML-escapes text for element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Words for the scopes a consent page lists (OIDC Core §5.4); other scopes are shown by name. */
const SCOPE_WORDS: Readonly<Record<string, string>> = {
  openid: 'Sign you in with your account identifier',
  profile: 'See your name and user name',
  email: 'See your email address',
  offline_access: 'Stay connected when you are not using it (refresh tokens)',
};

/** The sentence for one scope. */
export function describeScope(scope: string): string {
  return SCOPE_WORDS[scope] ?? `Use the permission "${scope}"`;
}

function page(title: string, body: string, status: number, formTargets: readonly string[] = []): Response {
  const nonce = randomBytes(16).toString('base64');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style nonce="${nonce}">body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1d2433}
h1{font-size:1.4rem}ul{padding-left:1.2rem}button{font-size:1rem;padding:.5rem 1.2rem;margin-right:.5rem}
.muted{color:#5b6478;font-size:.9rem}</style></head>
<body>${body}</body></html>`;
  return new Response(html, {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      // form-action also governs where a form's answer may redirect (browsers check the redirect
      // chain), so the consent page names the client's redirect URI origin besides 'self'.
      'content-security-policy': `default-src 'none'; style-src 'nonce-${nonce}'; form-action ${["'self'", ...formTargets].join(' ')}; frame-ancestors 'none'; base-uri 'none'`,
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    },
  });
}

/** The error page: `message` is for the end user (escaped); `reason` is the reason code shown small. */
export function errorPage(message: string, reason: string, status = 400): Response {
  return page('Sign-in request refused', `<h1>This sign-in request cannot continue</h1>
<p>${escapeHtml(message)}</p>
<p class="muted">Go back to the application and try again. If it keeps happening, tell its operator (reason: ${escapeHtml(reason)}).</p>`, status);
}

/** A page that only tells the end user something (for example that they are signed out). */
export function infoPage(title: string, message: string): Response {
  return page(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>`, 200);
}

/** What the logout confirmation page shows and posts back. */
export interface LogoutPageInput {
  /** The username of the signed-in end user. */
  readonly userName: string;
  /** The stored logout request and its anti-forgery token (bound to the session). */
  readonly logoutId: string;
  readonly csrfToken: string;
  /** Where the form posts (this server's confirmation endpoint). */
  readonly action: string;
  /** The origin of the post_logout_redirect_uri, when there is one: where the form's answer redirects. */
  readonly redirectOrigin?: string;
}

/**
 * The logout confirmation (OpenID Connect RP-Initiated Logout 1.0 §2: without an id_token_hint of
 * the current session, the OP MUST ask the end user whether to log out).
 */
export function logoutPage(input: LogoutPageInput): Response {
  return page('Sign out?', `<h1>Sign out?</h1>
<p>You are signed in as <strong>${escapeHtml(input.userName)}</strong>. An application asks to sign you out of this server.</p>
<form method="post" action="${escapeHtml(input.action)}">
<input type="hidden" name="logout_id" value="${escapeHtml(input.logoutId)}">
<input type="hidden" name="csrf_token" value="${escapeHtml(input.csrfToken)}">
<button type="submit" name="decision" value="sign_out">Sign out</button>
<button type="submit" name="decision" value="stay">Stay signed in</button>
</form>`, 200, input.redirectOrigin === undefined ? [] : [input.redirectOrigin]);
}

/** What the consent page shows and posts back. */
export interface ConsentPageInput {
  readonly clientName: string;
  readonly scopes: readonly string[];
  /** The username of the signed-in end user. */
  readonly userName: string;
  /** The pending request and its anti-forgery token (bound to the session). */
  readonly requestId: string;
  readonly csrfToken: string;
  /** Where the form posts (this server's consent endpoint). */
  readonly action: string;
  /** The origin of the client's redirect URI: where the form's answer redirects. */
  readonly redirectOrigin: string;
}

/** The consent page (RFC 6749 §4.1.1: the server obtains an authorization decision from the resource owner). */
export function consentPage(input: ConsentPageInput): Response {
  const items = input.scopes.map((scope) => `<li>${escapeHtml(describeScope(scope))}</li>`).join('');
  return page(`Allow ${input.clientName}?`, `<h1>Allow ${escapeHtml(input.clientName)} to access your account?</h1>
<p>You are signed in as <strong>${escapeHtml(input.userName)}</strong>. ${escapeHtml(input.clientName)} asks to:</p>
<ul>${items || '<li>Know that you signed in</li>'}</ul>
<form method="post" action="${escapeHtml(input.action)}">
<input type="hidden" name="request_id" value="${escapeHtml(input.requestId)}">
<input type="hidden" name="csrf_token" value="${escapeHtml(input.csrfToken)}">
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>
<p class="muted">You can withdraw this later; the operator can revoke it with <code>keyward consents revoke</code>.</p>`, 200, [input.redirectOrigin]);
}
