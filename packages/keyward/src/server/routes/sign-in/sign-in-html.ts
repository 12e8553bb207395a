/**
 * The HTML of the sign-in pages: complete documents with `lang`, a title, labels bound to their
 * fields, errors in a `role="alert"` region the fields point to (`aria-describedby`,
 * `aria-invalid`), no script and no inline style (the pages work without JavaScript and under a
 * strict CSP). Every shown value is escaped by escape-html.ts.
 */
import { escapeHtml } from './escape-html.ts';

/** Values of the sign-in form. */
export interface SignInFormView {
  readonly basePath: string;
  readonly csrfToken: string;
  /** An allowed return_to (return-to.ts), or undefined. */
  readonly returnTo?: string;
  /** The username to show again after a failure. */
  readonly username?: string;
  /** A message for the user, announced to screen readers. */
  readonly error?: string;
}

/** The passkey scripts (external files: the CSP allows no inline script). */
function passkeyScripts(basePath: string): string {
  const base = escapeHtml(basePath);
  return `<script src="${base}/sign-in/webauthn.js" defer></script>\n<script src="${base}/sign-in/passkey.js" defer></script>\n`;
}

/** The passkey part of a page: hidden until the script finds WebAuthn support. */
function passkeySection(basePath: string, buttonId: string, label: string): string {
  return `<div id="passkey-section" hidden>
<button type="button" id="${buttonId}" data-base="${escapeHtml(basePath)}">${escapeHtml(label)}</button>
<p id="passkey-status" role="status" aria-live="polite"></p>
</div>`;
}

function document(basePath: string, title: string, body: string, scripts = '', head = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
${head}
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)} · Keyward</title>
<link rel="stylesheet" href="${escapeHtml(basePath)}/sign-in/sign-in.css">
${scripts}</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

function errorBlock(error: string | undefined): string {
  return error === undefined ? '' : `<p class="error" id="form-error" role="alert">${escapeHtml(error)}</p>\n`;
}

/** The username and password form. */
export function renderSignInForm(view: SignInFormView): string {
  const invalid = view.error === undefined ? '' : ' aria-invalid="true" aria-describedby="form-error"';
  return document(view.basePath, 'Sign in', `<h1>Sign in</h1>
${errorBlock(view.error)}<form method="post" action="${escapeHtml(view.basePath)}/sign-in">
<input type="hidden" name="csrf_token" value="${escapeHtml(view.csrfToken)}">
${view.returnTo === undefined ? '' : `<input type="hidden" name="return_to" value="${escapeHtml(view.returnTo)}">\n`}<label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="64" value="${escapeHtml(view.username ?? '')}"${invalid}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024"${invalid}>
<button type="submit">Sign in</button>
</form>
${passkeySection(view.basePath, 'passkey-sign-in', 'Sign in with a passkey')}`, passkeyScripts(view.basePath));
}

/** The page after a sign-in without a return_to, with a sign-out button. */
export function renderSignedIn(view: { basePath: string; csrfToken: string; username: string }): string {
  return document(view.basePath, 'Signed in', `<h1>Signed in</h1>
<p>You are signed in as <strong>${escapeHtml(view.username)}</strong>. You can close this page.</p>
<p><a href="${escapeHtml(view.basePath)}/sign-in/passkeys">Your passkeys</a></p>
${renderSignOutForm(view.basePath, view.csrfToken)}`);
}

function renderSignOutForm(basePath: string, csrfToken: string): string {
  return `<form method="post" action="${escapeHtml(basePath)}/sign-out">
<input type="hidden" name="csrf_token" value="${escapeHtml(csrfToken)}">
<button type="submit">Sign out</button>
</form>`;
}

/** GET /sign-out: a confirmation (signing out is a POST with a CSRF token). */
export function renderSignOutConfirm(view: { basePath: string; csrfToken: string; error?: string }): string {
  return document(view.basePath, 'Sign out', `<h1>Sign out</h1>
${errorBlock(view.error)}<p>Sign out of this browser?</p>
${renderSignOutForm(view.basePath, view.csrfToken)}`);
}

/** A page with a heading, a message and a link to the sign-in page. */
export function renderMessage(view: { basePath: string; title: string; message: string; alert?: boolean }): string {
  const paragraph = view.alert ? `<p class="error" role="alert">${escapeHtml(view.message)}</p>` : `<p>${escapeHtml(view.message)}</p>`;
  return document(view.basePath, view.title, `<h1>${escapeHtml(view.title)}</h1>
${paragraph}
<p><a href="${escapeHtml(view.basePath)}/sign-in">Sign in</a></p>`);
}

/**
 * After a password sign-in that continues an authorization request: the browser goes on to `href`
 * (a same-origin /authorize path) by a refresh, with a link for anyone whose browser does not
 * follow it. Not a redirect of the form POST: browsers apply the sign-in page's CSP `form-action
 * 'self'` to every redirect of a form submission, which would stop the last hop to the application.
 */
export function renderContinue(view: { basePath: string; href: string }): string {
  const href = escapeHtml(`${view.basePath}${view.href}`);
  return document(view.basePath, 'Signed in', `<h1>Signed in</h1>
<p role="status">You are signed in. Taking you back to the application…</p>
<p><a href="${href}">Continue</a></p>`, '', `<meta http-equiv="refresh" content="0; url=${href}">
`);
}

/**
 * GET /sign-in/enrol: register a passkey with an enrolment link (its secret is in the URL's
 * fragment; the script reads it, the server never sees it in a URL).
 */
export function renderPasskeyEnrolment(view: { basePath: string; csrfToken: string }): string {
  return document(view.basePath, 'Set up a passkey', `<h1>Set up a passkey</h1>
<p>Your administrator sent you this link to add a passkey to your account. It works once and for a short time.</p>
<input type="hidden" name="csrf_token" value="${escapeHtml(view.csrfToken)}">
${passkeySection(view.basePath, 'passkey-enrol', 'Create a passkey')}
<noscript><p>Creating a passkey needs JavaScript.</p></noscript>`, passkeyScripts(view.basePath));
}

/** GET /sign-in/passkeys: the signed-in user's passkeys, and a button to add one. */
export function renderPasskeys(view: { basePath: string; csrfToken: string; username: string; passkeys: readonly { createdAt: Date; lastUsedAt?: Date }[] }): string {
  const items = view.passkeys.map((p, i) => `<li>Passkey ${i + 1}: added ${escapeHtml(p.createdAt.toISOString())}${p.lastUsedAt ? `, last used ${escapeHtml(p.lastUsedAt.toISOString())}` : ', never used'}</li>`).join('\n');
  return document(view.basePath, 'Your passkeys', `<h1>Your passkeys</h1>
<p>Signed in as <strong>${escapeHtml(view.username)}</strong>.</p>
${view.passkeys.length ? `<ul id="passkeys">\n${items}\n</ul>` : '<p id="passkeys">You have no passkey yet.</p>'}
<input type="hidden" name="csrf_token" value="${escapeHtml(view.csrfToken)}">
${passkeySection(view.basePath, 'passkey-add', 'Add a passkey')}
<noscript><p>Adding a passkey needs JavaScript.</p></noscript>
<p><a href="${escapeHtml(view.basePath)}/sign-in/done">Back</a></p>`, passkeyScripts(view.basePath));
}
