// Keyward console: a page over the admin API (/admin/v1), nothing else. It signs in with an access
// token of scope keyward:admin, either pasted or obtained here with a private_key_jwt assertion
// (RFC 7523) signed by WebCrypto with the admin key the user loads. The key is imported
// non-extractable, kept in memory only, never sent; the access token is kept in memory only (never
// in the browser's storage or a cookie). Every value from the server is shown as text, never as HTML.

const ADMIN = '/admin/v1';
const ADMIN_SCOPE = 'keyward:admin';
const session = { issuer: '', tokenPath: '/token', idTokenAlgs: [], token: '', expiresAt: 0, signer: undefined };

const $ = (selector) => document.querySelector(selector);

// ---------- small DOM helpers (text only) ----------

/** An element with attributes and children; strings become text nodes. */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function showMessage(text, ok = false) {
  const box = $('#message');
  box.textContent = text;
  box.className = ok ? 'ok' : '';
  box.hidden = text === '';
}

/** What went wrong, from an OAuth/admin error body ({ error, error_description }) or an exception. */
function describeError(error) {
  if (error && error.body && typeof error.body === 'object') {
    const { error: code, error_description: description } = error.body;
    return `${error.status} ${code ?? ''}${description ? `: ${description}` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}

// ---------- base64url, PEM, JWK thumbprint ----------

const encoder = new TextEncoder();

function base64url(bytes) {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const base64urlJson = (value) => base64url(encoder.encode(JSON.stringify(value)));

function pemToDer(pem, label) {
  const match = new RegExp(`-----BEGIN ${label}-----([\\s\\S]+?)-----END ${label}-----`).exec(pem);
  if (!match) return undefined;
  const binary = atob(match[1].replace(/\s+/g, ''));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** RFC 7638 thumbprint of a public JWK: the kid Keyward gives every registered key. */
async function thumbprint(jwk) {
  const members = { EC: ['crv', 'kty', 'x', 'y'], RSA: ['e', 'kty', 'n'], OKP: ['crv', 'kty', 'x'] }[jwk.kty];
  const canonical = JSON.stringify(Object.fromEntries(members.map((name) => [name, jwk[name]])));
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(canonical))));
}

// JWS algorithm → WebCrypto import and sign parameters (RFC 7518 §3, RFC 8037).
const ALGORITHMS = {
  ES256: { importAs: { name: 'ECDSA', namedCurve: 'P-256' }, sign: { name: 'ECDSA', hash: 'SHA-256' } },
  ES384: { importAs: { name: 'ECDSA', namedCurve: 'P-384' }, sign: { name: 'ECDSA', hash: 'SHA-384' } },
  ES512: { importAs: { name: 'ECDSA', namedCurve: 'P-521' }, sign: { name: 'ECDSA', hash: 'SHA-512' } },
  RS256: { importAs: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, sign: { name: 'RSASSA-PKCS1-v1_5' } },
  PS256: { importAs: { name: 'RSA-PSS', hash: 'SHA-256' }, sign: { name: 'RSA-PSS', saltLength: 32 } },
  EdDSA: { importAs: { name: 'Ed25519' }, sign: { name: 'Ed25519' } },
};

function algorithmOfJwk(jwk) {
  if (typeof jwk.alg === 'string' && ALGORITHMS[jwk.alg]) return jwk.alg;
  if (jwk.kty === 'EC') return { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' }[jwk.crv];
  if (jwk.kty === 'RSA') return 'RS256';
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  return undefined;
}

/**
 * The signer of a private key file: { alg, kid, key } with a non-extractable CryptoKey. Accepts a
 * PKCS#8 PEM (what `keyward admin init` and `keyward keygen` write) or a private JWK; refuses the
 * rest with what to do instead.
 */
async function importSigner(text) {
  if (/-----BEGIN (ENCRYPTED PRIVATE KEY|RSA PRIVATE KEY|EC PRIVATE KEY)-----/.test(text)) {
    throw new Error('This key is encrypted or in a legacy PEM form, which a browser cannot read. Paste an access token instead ' +
      '(keyward token ... --scope keyward:admin), or convert the key to unencrypted PKCS#8 for this page: openssl pkcs8 -topk8 -nocrypt -in KEY -out admin-pkcs8.pem');
  }
  let jwk;
  const der = pemToDer(text, 'PRIVATE KEY');
  if (der) {
    for (const alg of ['ES256', 'ES384', 'ES512', 'EdDSA', 'RS256']) {
      try {
        const probe = await crypto.subtle.importKey('pkcs8', der, ALGORITHMS[alg].importAs, true, ['sign']);
        jwk = { ...(await crypto.subtle.exportKey('jwk', probe)), alg };
        break;
      } catch { /* not this type: try the next */ }
    }
    if (!jwk) throw new Error('The PEM holds no private key this page can use (EC P-256/384/521, RSA or Ed25519 in PKCS#8).');
  } else {
    try { jwk = JSON.parse(text); } catch { throw new Error('The file is neither a PKCS#8 PEM private key nor a JSON Web Key.'); }
    if (!jwk || typeof jwk !== 'object' || typeof jwk.d !== 'string') throw new Error('The JWK has no private part ("d"): load the private key.');
  }
  const alg = algorithmOfJwk(jwk);
  if (!alg) throw new Error('Unsupported key type: use an EC P-256/384/521, RSA or Ed25519 key.');
  // The thumbprint reads only the public members (RFC 7638 §3.2).
  const kid = typeof jwk.kid === 'string' ? jwk.kid : await thumbprint(jwk);
  const key = await crypto.subtle.importKey('jwk', { ...jwk, key_ops: ['sign'], ext: false }, ALGORITHMS[alg].importAs, false, ['sign']);
  return { alg, kid, key };
}

/** A private_key_jwt client assertion (RFC 7523 §3): iss = sub = client_id, aud = the issuer, 60 s. */
async function signAssertion(signer, clientId) {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: signer.alg, typ: 'JWT', kid: signer.kid };
  const claims = { iss: clientId, sub: clientId, aud: session.issuer, iat: now, exp: now + 60, jti: crypto.randomUUID() };
  const input = `${base64urlJson(header)}.${base64urlJson(claims)}`;
  const signature = await crypto.subtle.sign(ALGORITHMS[signer.alg].sign, signer.key, encoder.encode(input));
  return `${input}.${base64url(new Uint8Array(signature))}`;
}

/** Gets an admin access token at the token endpoint with a fresh assertion. */
async function requestToken() {
  const { signer } = session;
  const body = new URLSearchParams({
    grant_type: 'client_credentials',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: await signAssertion(signer, signer.clientId),
    scope: ADMIN_SCOPE,
  });
  const response = await fetch(session.tokenPath, { method: 'POST', body, headers: { accept: 'application/json' } });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw Object.assign(new Error('token request refused'), { status: response.status, body: answer });
  session.token = answer.access_token;
  session.expiresAt = Date.now() + Math.max(10, (answer.expires_in ?? 60) - 10) * 1000;
}

// ---------- the admin API ----------

async function api(method, path, body) {
  if (session.signer && Date.now() >= session.expiresAt) await requestToken();
  const response = await fetch(`${ADMIN}${path}`, {
    method,
    headers: { authorization: `Bearer ${session.token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const answer = response.status === 204 ? {} : await response.json().catch(() => ({}));
  if (!response.ok) {
    if (response.status === 401 && !session.signer) signOut('The access token was refused (expired or revoked): sign in again.');
    throw Object.assign(new Error('admin API refused'), { status: response.status, body: answer });
  }
  return answer;
}

/**
 * Runs an action from a button or form: shows its outcome, never throws into the page. `success` is
 * the message, or a function of what `work` returned that makes it.
 */
async function act(work, success) {
  showMessage('');
  const before = location.hash;
  try {
    const result = await work();
    if (success) showMessage(typeof success === 'function' ? success(result) : success, true);
    // An action that navigated is rendered by the hashchange handler; render once, not twice.
    if (location.hash === before) await render();
  } catch (error) {
    showMessage(describeError(error));
  }
}

/** A registration key field: JSON (JWK, JWKS) when it parses as an object, else PEM text. */
function keyInput(text) {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try { return JSON.parse(trimmed); } catch { throw new Error('The key looks like JSON but does not parse: paste a JWK, a JWKS or a PEM.'); }
  }
  return trimmed;
}

// ---------- the authorization code flow's client fields ----------

// The grant types the token endpoint implements (KNOWN_GRANT_TYPES in the registry) and the ones a
// client gets when none is chosen (DEFAULT_CLIENT_GRANT_TYPES); console-route.test.ts keeps them equal.
const GRANT_TYPES = ['client_credentials', 'urn:ietf:params:oauth:grant-type:jwt-bearer', 'authorization_code', 'refresh_token'];
const DEFAULT_GRANT_TYPES = ['client_credentials'];

/** One URI a line: surrounding spaces and blank lines dropped. */
const lines = (text) => String(text ?? '').split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');

/** A checkbox with its text on the same line. */
const checkbox = (attributes, text) => el('label', { class: 'check' }, el('input', { type: 'checkbox', ...attributes }), text);

/**
 * The grant types and authorization code flow fields of a client (RFC 7591 §2, docs/sign-in.md) in
 * wire form, as the forms compare and send them; `null` is "the server's setting". The API checks
 * every value (redirect URIs above all); this page only shapes them.
 */
function flowOf(client) {
  return {
    grant_types: GRANT_TYPES.filter((grant) => (client.grant_types ?? DEFAULT_GRANT_TYPES).includes(grant)),
    redirect_uris: client.redirect_uris ?? [],
    post_logout_redirect_uris: client.post_logout_redirect_uris ?? [],
    consent: client.consent ?? 'required',
    require_pushed_authorization_requests: client.require_pushed_authorization_requests === true,
    id_token_signed_response_alg: client.id_token_signed_response_alg ?? null,
    key_max_age_days: client.key_max_age_days ?? null,
  };
}

/** The same fields read from a submitted form (the fieldset of flowFields). */
function readFlowFields(data) {
  const text = (name) => String(data.get(name) ?? '').trim();
  return {
    grant_types: data.getAll('grant_types').map(String),
    redirect_uris: lines(data.get('redirect_uris')),
    post_logout_redirect_uris: lines(data.get('post_logout_redirect_uris')),
    consent: text('consent'),
    require_pushed_authorization_requests: data.get('require_pushed_authorization_requests') === 'on',
    id_token_signed_response_alg: text('id_token_signed_response_alg') || null,
    key_max_age_days: text('key_max_age_days') === '' ? null : Number(text('key_max_age_days')),
  };
}

/** The form fields of flowOf(client), filled with its values (a new client: the API's defaults). */
function flowFields(client = {}) {
  const flow = flowOf(client);
  // The ID token algorithms the server advertises (it signs with one), and the client's own if another.
  const algs = [...new Set([...session.idTokenAlgs, ...(flow.id_token_signed_response_alg ? [flow.id_token_signed_response_alg] : [])])];
  return el('fieldset', { class: 'flow' },
    el('legend', {}, 'Grant types and the authorization code flow'),
    el('div', { class: 'choices' }, GRANT_TYPES.map((grant) => checkbox({ name: 'grant_types', value: grant, checked: flow.grant_types.includes(grant) }, grant))),
    el('label', {}, 'Redirect URIs, one per line (https, matched exactly; authorization_code needs one)',
      el('textarea', { name: 'redirect_uris', class: 'uris' }, flow.redirect_uris.join('\n'))),
    el('label', {}, 'Post-logout redirect URIs, one per line',
      el('textarea', { name: 'post_logout_redirect_uris', class: 'uris' }, flow.post_logout_redirect_uris.join('\n'))),
    el('label', {}, 'Consent',
      el('select', { name: 'consent' },
        el('option', { value: 'required', selected: flow.consent === 'required' }, 'required: the user approves the scopes once'),
        el('option', { value: 'implicit', selected: flow.consent === 'implicit' }, 'implicit: a first-party client, never asked'))),
    checkbox({ name: 'require_pushed_authorization_requests', checked: flow.require_pushed_authorization_requests },
      'Require pushed authorization requests (RFC 9126 PAR) for this client'),
    el('label', {}, 'ID token signing algorithm',
      el('select', { name: 'id_token_signed_response_alg' },
        el('option', { value: '' }, "the server's"),
        algs.map((alg) => el('option', { value: alg, selected: alg === flow.id_token_signed_response_alg }, alg)))),
    el('label', {}, "Key rotation due after (days; empty: the server's keys.maxAge)",
      el('input', { name: 'key_max_age_days', type: 'number', min: '1', max: '36500', value: flow.key_max_age_days ?? '' })));
}

/** A list of URIs shown as text (never as links: a stored value is not a place to go). */
const uriList = (uris) => (uris.length === 0 ? '(none)' : el('ul', { class: 'uris' }, uris.map((uri) => el('li', {}, el('code', {}, uri)))));

// ---------- views ----------

const stateCell = (state) => el('td', { class: `state-${state}` }, state);

async function renderClients(view) {
  const { clients, next_after: more } = await api('GET', '/clients?limit=200');
  view.append(el('h2', {}, 'Clients'));
  view.append(clients.length === 0
    ? el('p', {}, 'No clients yet: register the first one below.')
    : el('table', { id: 'clients' },
      el('thead', {}, el('tr', {}, ['client_id', 'name', 'state', 'scope', 'auth'].map((h) => el('th', {}, h)))),
      el('tbody', {}, clients.map((client) => el('tr', {},
        el('td', {}, el('a', { href: `#/clients/${encodeURIComponent(client.client_id)}` }, client.client_id)),
        el('td', {}, client.client_name), stateCell(client.state), el('td', {}, client.scope),
        el('td', {}, client.jwks_uri ? 'jwks_uri' : 'registered keys'))))));
  if (more) view.append(el('p', { class: 'muted' }, 'More clients exist than shown here; the CLI lists them all (keyward clients list).'));
  const form = el('form', { id: 'create-client' },
    el('h3', {}, 'Register a client'),
    el('label', {}, 'Name', el('input', { name: 'client_name', required: true })),
    el('label', {}, 'Scope (space-separated)', el('input', { name: 'scope' })),
    el('label', {}, 'Public key: PEM, certificate PEM, JWK or JWKS', el('textarea', { name: 'keys', required: true })),
    flowFields(),
    el('button', { type: 'submit' }, 'Register'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    let created;
    act(async () => {
      const scope = String(data.get('scope')).trim();
      // The flow fields left at "the server's setting" are not sent.
      const flow = Object.fromEntries(Object.entries(readFlowFields(data)).filter(([, value]) => value !== null));
      created = await api('POST', '/clients', { client_name: String(data.get('client_name')), keys: keyInput(String(data.get('keys'))), ...(scope ? { scope } : {}), ...flow });
      location.hash = `#/clients/${encodeURIComponent(created.client_id)}`;
    }, 'Client registered.');
  });
  view.append(form);
}

async function renderClient(view, clientId) {
  const client = await api('GET', `/clients/${encodeURIComponent(clientId)}`);
  const path = `/clients/${encodeURIComponent(client.client_id)}`;
  view.append(el('p', {}, el('a', { href: '#/clients' }, '← all clients')));
  view.append(el('h2', {}, client.client_name));
  const facts = [
    ['client_id', el('code', {}, client.client_id)], ['state', client.state], ['scope', client.scope || '(none)'],
    ['grant types', client.grant_types.join(' ')], ['response types', client.response_types.join(' ') || '(none)'],
    ['redirect URIs', uriList(client.redirect_uris)], ['post-logout redirect URIs', uriList(client.post_logout_redirect_uris)],
    ['consent', client.consent],
    ['pushed authorization requests', client.require_pushed_authorization_requests ? 'required for this client' : "as the server's authorization.requirePushedAuthorizationRequests"],
    ['ID token algorithm', client.id_token_signed_response_alg ?? "(the server's)"],
    ['key rotation due after', client.key_max_age_days === undefined ? "(the server's keys.maxAge)" : `${client.key_max_age_days} days`],
    ['audience policy', client.audience_policy],
    ['algorithm pin', client.alg_pin ?? '(none)'], ['access token lifetime', `${client.access_token_ttl} s`],
    ['jwks_uri', client.jwks_uri ?? '(none: registered keys)'], ['created', client.created_at], ['updated', client.updated_at],
  ];
  view.append(el('dl', { id: 'client-facts' }, facts.flatMap(([name, value]) => [el('dt', {}, name), el('dd', {}, value)])));
  view.append(el('div', { class: 'actions' },
    client.state === 'enabled'
      ? el('button', { type: 'button', class: 'danger', onclick: () => act(() => api('POST', `${path}/disable`), 'Client disabled: its access tokens are revoked.') }, 'Disable')
      : el('button', { type: 'button', onclick: () => act(() => api('POST', `${path}/enable`), 'Client enabled.') }, 'Enable'),
    el('button', {
      type: 'button', class: 'danger',
      onclick: () => {
        if (!confirm(`Delete ${client.client_id} and its keys? Its access tokens are revoked. This cannot be undone.`)) return;
        act(async () => { await api('DELETE', path); location.hash = '#/clients'; }, 'Client deleted.');
      },
    }, 'Delete'),
    el('a', { href: `#/audit?client_id=${encodeURIComponent(client.client_id)}` }, 'Audit events of this client')));

  view.append(el('h3', {}, 'Keys'));
  view.append(el('table', { id: 'keys' },
    el('thead', {}, el('tr', {}, ['kid', 'type', 'state', 'created', 'validity', ''].map((h) => el('th', {}, h)))),
    el('tbody', {}, client.keys.map((key) => el('tr', {},
      el('td', {}, el('code', {}, key.kid)),
      el('td', {}, `${key.kty}${key.bits ? ` ${key.bits}` : ''}${key.crv ? ` ${key.crv}` : ''}${key.alg ? ` (${key.alg})` : ''}`),
      stateCell(key.state), el('td', {}, key.created_at),
      el('td', {}, [key.not_before && `from ${key.not_before}`, key.not_after && `until ${key.not_after}`, key.retire_at && `retires ${key.retire_at}`].filter(Boolean).join(', ') || '-'),
      el('td', {}, key.state === 'revoked' ? '' : el('button', {
        type: 'button', class: 'danger',
        onclick: () => {
          if (!confirm(`Revoke key ${key.kid} now? Assertions signed with it are refused at once.`)) return;
          act(() => api('POST', `${path}/keys/${encodeURIComponent(key.thumbprint)}/revoke`), 'Key revoked.');
        },
      }, 'Revoke')))))));
  if (!client.jwks_uri) {
    const form = el('form', { id: 'add-key' },
      el('label', {}, 'Add a public key (PEM, certificate PEM, JWK or JWKS)', el('textarea', { name: 'keys', required: true })),
      el('label', {}, el('span', {}, el('input', { type: 'checkbox', name: 'rotate' }), ' rotate: the active keys retire after the overlap below')),
      el('label', {}, 'Overlap in seconds (both keys work meanwhile)', el('input', { name: 'overlap_seconds', type: 'number', min: '0', value: '86400' })),
      el('button', { type: 'submit' }, 'Add key'));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const keys = keyInput(String(data.get('keys')));
      if (data.get('rotate') === 'on') {
        act(() => api('POST', `${path}/keys/rotate`, { keys, overlap_seconds: Number(data.get('overlap_seconds')) }), 'Key added; the previous keys are retiring.');
      } else {
        act(() => api('POST', `${path}/keys`, { keys }), 'Key added.');
      }
    });
    view.append(form);
  }

  view.append(el('h3', {}, 'Settings'));
  const edit = el('form', { id: 'edit-client' },
    el('label', {}, 'Name', el('input', { name: 'client_name', value: client.client_name, required: true })),
    el('label', {}, 'Scope (space-separated)', el('input', { name: 'scope', value: client.scope })),
    el('label', {}, 'Contact', el('input', { name: 'contact', value: client.contact ?? '' })),
    el('label', {}, 'Description', el('input', { name: 'description', value: client.description ?? '' })),
    el('label', {}, 'Access token lifetime (seconds)', el('input', { name: 'access_token_ttl', type: 'number', min: '1', value: String(client.access_token_ttl) })),
    el('label', {}, 'Audience policy',
      el('select', { name: 'audience_policy' }, ['strict', 'legacy'].map((policy) => el('option', { value: policy, selected: policy === client.audience_policy }, policy)))),
    el('label', {}, 'Algorithm pin (empty: any algorithm that fits the key)', el('input', { name: 'alg_pin', value: client.alg_pin ?? '' })),
    flowFields(client),
    el('button', { type: 'submit' }, 'Save'));
  edit.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(edit);
    const text = (name) => String(data.get(name)).trim();
    // Only what changed; an emptied optional field is cleared (null).
    const current = { client_name: client.client_name, scope: client.scope, contact: client.contact ?? '', description: client.description ?? '',
      access_token_ttl: String(client.access_token_ttl), audience_policy: client.audience_policy, alg_pin: client.alg_pin ?? '' };
    const patch = {};
    for (const [name, before] of Object.entries(current)) {
      const value = text(name);
      if (value === before) continue;
      if (name === 'access_token_ttl') patch[name] = Number(value);
      else if (value === '' && ['contact', 'description', 'alg_pin'].includes(name)) patch[name] = null;
      else patch[name] = value;
    }
    // The flow fields: whole values (a list of URIs is replaced, not merged); null returns to the server's setting.
    const flowBefore = flowOf(client);
    for (const [name, value] of Object.entries(readFlowFields(data))) {
      if (JSON.stringify(value) !== JSON.stringify(flowBefore[name])) patch[name] = value;
    }
    if (Object.keys(patch).length === 0) { showMessage('Nothing changed.', true); return; }
    act(() => api('PATCH', path, patch), 'Settings saved.');
  });
  view.append(edit);
}

async function renderAudit(view, query) {
  const filters = new URLSearchParams(query);
  filters.set('limit', '200');
  const { events } = await api('GET', `/audit?${filters}`);
  view.append(el('h2', {}, 'Audit log'));
  const form = el('form', { id: 'audit-filter' },
    ['client_id', 'type', 'reason'].map((name) => el('label', {}, name, el('input', { name, value: filters.get(name) ?? '' }))),
    el('button', { type: 'submit' }, 'Filter'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen = new URLSearchParams([...new FormData(form)].filter(([, value]) => value !== ''));
    location.hash = `#/audit?${chosen}`;
  });
  view.append(form);
  view.append(events.length === 0 ? el('p', {}, 'No events match.') : el('table', { id: 'audit' },
    el('thead', {}, el('tr', {}, ['time', 'type', 'client_id', 'reason', 'actor', 'source'].map((h) => el('th', {}, h)))),
    el('tbody', {}, events.map((event) => el('tr', {},
      el('td', {}, event.time), el('td', {}, event.type), el('td', {}, event.client_id ?? ''),
      el('td', {}, event.reason ?? ''), el('td', {}, event.actor ?? ''), el('td', {}, event.source_address ?? ''))))));
}

async function renderInitialAccessTokens(view) {
  const { initial_access_tokens: tokens = [] } = await api('GET', '/initial-access-tokens');
  view.append(el('h2', {}, 'Initial access tokens'));
  view.append(el('p', { class: 'muted' }, 'They let a client register itself (RFC 7591 dynamic registration). A token is shown once, when it is created.'));
  view.append(tokens.length === 0 ? el('p', {}, 'None.') : el('table', { id: 'initial-access-tokens' },
    el('thead', {}, el('tr', {}, ['id', 'created', 'expires', 'uses left', 'scope'].map((h) => el('th', {}, h)))),
    el('tbody', {}, tokens.map((t) => el('tr', {}, el('td', {}, t.id), el('td', {}, t.created_at), el('td', {}, t.expires_at ?? 'never'),
      el('td', {}, t.uses_left ?? 'unlimited'), el('td', {}, t.scope ?? ''))))));
  const created = el('div');
  const form = el('form', { id: 'create-initial-access-token' },
    el('label', {}, 'Valid for (seconds)', el('input', { name: 'expires_in', type: 'number', min: '1', value: '86400' })),
    el('label', {}, 'Uses', el('input', { name: 'uses', type: 'number', min: '1', value: '1' })),
    el('button', { type: 'submit' }, 'Create'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      const answer = await api('POST', '/initial-access-tokens', { expires_in: Number(data.get('expires_in')), uses: Number(data.get('uses')) });
      created.replaceChildren(el('p', {}, 'Copy it now; it is not shown again:'), el('p', { class: 'secret', id: 'new-initial-access-token' }, answer.initial_access_token));
      showMessage('Initial access token created.', true);
    } catch (error) {
      showMessage(describeError(error));
    }
  });
  view.append(form, created);
}

/** A user's Disable (or Enable) and Delete buttons, on the users list and on the user's page; `afterDelete`: where to go next. */
function userActions(user, afterDelete) {
  const path = `/users/${encodeURIComponent(user.sub)}`;
  return [
    user.status === 'active'
      ? el('button', { type: 'button', class: 'danger', onclick: () => act(() => api('PATCH', path, { status: 'disabled' }), 'User disabled: its sessions are ended.') }, 'Disable')
      : el('button', { type: 'button', onclick: () => act(() => api('PATCH', path, { status: 'active' }), 'User enabled.') }, 'Enable'),
    el('button', {
      type: 'button', class: 'danger',
      onclick: () => {
        if (!confirm(`Delete the user ${user.username}, its passkeys and its sessions? This cannot be undone.`)) return;
        act(async () => {
          await api('DELETE', path);
          if (afterDelete !== undefined) location.hash = afterDelete;
        }, 'User deleted.');
      },
    }, 'Delete'),
  ];
}

async function renderUsers(view) {
  const { users, next_after: more } = await api('GET', '/users?limit=200');
  view.append(el('h2', {}, 'Users'));
  view.append(el('p', { class: 'muted' }, 'The people who sign in at /sign-in. Disabling a user ends its sessions at once.'));
  view.append(users.length === 0
    ? el('p', {}, 'No users yet: add the first one below.')
    : el('table', { id: 'users' },
      el('thead', {}, el('tr', {}, ['username', 'name', 'email', 'status', 'password', 'passkey required', 'last sign-in', ''].map((h) => el('th', {}, h)))),
      el('tbody', {}, users.map((user) => el('tr', {},
        el('td', {}, el('a', { href: `#/users/${encodeURIComponent(user.sub)}` }, user.username)), el('td', {}, user.name ?? ''), el('td', {}, user.email ?? ''), stateCell(user.status),
        el('td', {}, user.has_password ? 'set' : 'none'), el('td', {}, user.require_passkey ? 'yes' : 'no'), el('td', {}, user.last_sign_in_at ?? 'never'),
        el('td', {}, userActions(user)))))));
  if (more) view.append(el('p', { class: 'muted' }, 'More users exist than shown here; the CLI lists them all (keyward users list).'));
  const form = el('form', { id: 'create-user' },
    el('h3', {}, 'Add a user'),
    el('label', {}, 'Username', el('input', { name: 'username', required: true, autocomplete: 'off' })),
    el('label', {}, 'Name', el('input', { name: 'name' })),
    el('label', {}, 'Email', el('input', { name: 'email', type: 'email' })),
    el('label', {}, 'Password (8 characters or more; empty: none for now)', el('input', { name: 'password', type: 'password', autocomplete: 'new-password' })),
    el('label', {}, el('input', { name: 'require_passkey', type: 'checkbox' }), ' Must sign in with a passkey'),
    el('button', { type: 'submit' }, 'Add'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const text = (name) => String(data.get(name) ?? '').trim();
    act(async () => {
      await api('POST', '/users', {
        username: text('username'),
        ...(text('name') ? { name: text('name') } : {}),
        ...(text('email') ? { email: text('email') } : {}),
        ...(data.get('password') ? { password: String(data.get('password')) } : {}),
        ...(data.get('require_passkey') ? { require_passkey: true } : {}),
      });
    }, 'User added.');
  });
  view.append(form);
}

async function renderUser(view, sub) {
  const path = `/users/${encodeURIComponent(sub)}`;
  const [user, { consents }] = await Promise.all([api('GET', path), api('GET', `${path}/consents`)]);
  view.append(el('p', {}, el('a', { href: '#/users' }, '← all users')));
  view.append(el('h2', {}, user.username));
  const facts = [
    ['sub', el('code', {}, user.sub)], ['name', user.name ?? '(none)'], ['email', user.email ?? '(none)'], ['status', user.status],
    ['password', user.has_password ? 'set' : 'none'], ['passkey required', user.require_passkey ? 'yes' : 'no'],
    ['created', user.created_at], ['last sign-in', user.last_sign_in_at ?? 'never'],
  ];
  view.append(el('dl', { id: 'user-facts' }, facts.flatMap(([name, value]) => [el('dt', {}, name), el('dd', {}, value)])));
  view.append(el('p', { id: 'user-actions' }, userActions(user, '#/users')));

  view.append(el('h3', {}, 'Consents'));
  view.append(el('p', { class: 'muted' }, 'The scopes this user approved for each client at the authorization endpoint, remembered until revoked. ' +
    'Revoking one also revokes the refresh and access tokens issued under it: the client has to ask again.'));
  view.append(consents.length === 0 ? el('p', {}, 'No consents.') : el('table', { id: 'consents' },
    el('thead', {}, el('tr', {}, ['client', 'scope', 'given', 'updated', ''].map((h) => el('th', {}, h)))),
    el('tbody', {}, consents.map((consent) => el('tr', { 'data-client-id': consent.client_id },
      el('td', {}, el('a', { href: `#/clients/${encodeURIComponent(consent.client_id)}` }, consent.client_id)),
      el('td', {}, consent.scope), el('td', {}, consent.created_at), el('td', {}, consent.updated_at),
      el('td', {}, el('button', {
        type: 'button', class: 'danger',
        onclick: () => {
          if (!confirm(`Revoke the consent ${user.username} gave to ${consent.client_id}, with the tokens issued under it?`)) return;
          act(() => api('DELETE', `${path}/consents/${encodeURIComponent(consent.client_id)}`),
            (answer) => `Consent revoked, with ${answer.refresh_token_grants_revoked} refresh token grant(s) and ${answer.tokens_revoked} access token(s).`);
        },
      }, 'Revoke')))))));
}

// The alert kinds and states (ALERT_KINDS and ALERT_STATES in the store contract, docs/alerts.md).
const ALERT_KINDS = ['issuance_spike', 'replay_burst', 'signature_failures', 'new_key_first_use', 'new_source_network',
  'dormant_client_active', 'key_expiring', 'key_age', 'legacy_audience'];
const ALERT_STATES = ['open', 'acknowledged', 'resolved'];

/** The badge in the menu: how many alerts are open (hidden when none, or when the count cannot be read). */
async function updateAlertBadge(counts) {
  const badge = $('#alerts-badge');
  try {
    const open = counts ? counts.open : (await api('GET', '/alerts?state=open&limit=1')).counts.open;
    badge.textContent = String(open);
    badge.hidden = !(open > 0);
  } catch {
    badge.hidden = true;
  }
}

/** Observed against expected: `120 (expected 10)`, or the observed figure alone. */
const alertFigures = (alert) => (alert.expected === undefined ? String(alert.observed) : `${alert.observed} (expected ${alert.expected})`);

async function renderAlerts(view, query) {
  const filters = new URLSearchParams(query);
  filters.set('limit', '100');
  const { alerts, next_cursor: nextCursor, counts } = await api('GET', `/alerts?${filters}`);
  await updateAlertBadge(counts);
  view.append(el('h2', {}, 'Alerts'));
  view.append(el('p', { class: 'muted', id: 'alert-counts' }, `${counts.open} open, ${counts.acknowledged} acknowledged, ${counts.resolved} resolved. ` +
    'Acknowledge an alert when someone is on it; resolve it when it is dealt with.'));
  const choice = (name, values) => el('label', {}, name, el('select', { name },
    el('option', { value: '' }, 'any'), values.map((value) => el('option', { value, selected: filters.get(name) === value }, value))));
  const form = el('form', { id: 'alert-filter' },
    choice('state', ALERT_STATES), choice('kind', ALERT_KINDS),
    el('label', {}, 'client_id', el('input', { name: 'client_id', value: filters.get('client_id') ?? '' })),
    el('button', { type: 'submit' }, 'Filter'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen = new URLSearchParams([...new FormData(form)].filter(([, value]) => value !== ''));
    location.hash = `#/alerts?${chosen}`;
  });
  view.append(form);
  const move = (alert, action, label, done) => el('button', {
    type: 'button', class: action === 'resolve' ? 'secondary' : undefined, 'data-action': action,
    onclick: () => act(() => api('POST', `/alerts/${encodeURIComponent(alert.id)}/${action}`), done),
  }, label);
  view.append(alerts.length === 0 ? el('p', {}, 'No alerts match.') : el('table', { id: 'alerts' },
    el('thead', {}, el('tr', {}, ['raised', 'state', 'kind', 'client', 'observed', 'about', ''].map((h) => el('th', {}, h)))),
    el('tbody', {}, alerts.map((alert) => el('tr', { 'data-alert-id': alert.id },
      el('td', {}, alert.raised_at),
      el('td', { class: `state-${alert.state}` }, alert.state, alert.updated_by ? el('span', { class: 'muted' }, ` by ${alert.updated_by}`) : undefined),
      el('td', {}, alert.kind),
      el('td', {}, alert.client_id ? el('a', { href: `#/clients/${encodeURIComponent(alert.client_id)}` }, alert.client_id) : '-'),
      el('td', {}, alertFigures(alert), el('br'), el('span', { class: 'muted' }, `${alert.window.start} to ${alert.window.end}`)),
      el('td', {}, [alert.source && `from ${alert.source}`, alert.key_thumbprint && `key ${alert.key_thumbprint}`].filter(Boolean).join(', ') || ''),
      el('td', { class: 'actions' },
        alert.state === 'open' ? move(alert, 'acknowledge', 'Acknowledge', 'Alert acknowledged.') : undefined,
        alert.state !== 'resolved' ? move(alert, 'resolve', 'Resolve', 'Alert resolved.') : undefined))))));
  if (nextCursor) {
    const older = new URLSearchParams(query);
    older.set('cursor', nextCursor);
    view.append(el('p', {}, el('a', { href: `#/alerts?${older}`, id: 'older-alerts' }, 'Older alerts')));
  }
}

// ---------- routing and sign-in ----------

async function render() {
  const signedIn = session.token !== '' || session.signer !== undefined;
  $('#sign-in').hidden = signedIn;
  $('#nav').hidden = !signedIn;
  const view = $('#view');
  view.hidden = !signedIn;
  if (!signedIn) return;
  const [route, query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const [section, ...rest] = route.split('/');
  for (const link of document.querySelectorAll('nav a')) link.classList.toggle('current', link.dataset.view === (section || 'clients'));
  const next = el('div');
  try {
    if (section === 'audit') await renderAudit(next, query);
    else if (section === 'initial-access-tokens') await renderInitialAccessTokens(next);
    else if (section === 'users' && rest.length > 0) await renderUser(next, decodeURIComponent(rest.join('/')));
    else if (section === 'users') await renderUsers(next);
    else if (section === 'alerts') await renderAlerts(next, query);
    else if (section === 'clients' && rest.length > 0) await renderClient(next, decodeURIComponent(rest.join('/')));
    else await renderClients(next);
  } catch (error) {
    showMessage(describeError(error));
  }
  view.replaceChildren(next);
  // The alerts page counts them itself; every other page asks for the badge's figure.
  if (section !== 'alerts' && (session.token !== '' || session.signer !== undefined)) await updateAlertBadge();
}

/** After sign-in: the clients list (through the hashchange handler), or the section already in the address. */
async function showFirstView() {
  if (location.hash) await render();
  else location.hash = '#/clients';
}

function signOut(reason = '') {
  session.token = '';
  session.expiresAt = 0;
  session.signer = undefined;
  showMessage(reason);
  render();
}

async function start() {
  try {
    const metadata = await (await fetch('/.well-known/oauth-authorization-server')).json();
    session.issuer = metadata.issuer;
    // Same origin as this page (the CSP allows no other): the path of the advertised endpoint.
    session.tokenPath = new URL(metadata.token_endpoint).pathname;
    // The client forms offer these for id_token_signed_response_alg (OIDC Discovery §3).
    session.idTokenAlgs = Array.isArray(metadata.id_token_signing_alg_values_supported) ? metadata.id_token_signing_alg_values_supported.map(String) : [];
    $('#issuer').textContent = `issuer ${metadata.issuer}`;
  } catch {
    showMessage('The server metadata (/.well-known/oauth-authorization-server) could not be read.');
  }
  $('#key-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const file = data.get('key');
    try {
      const signer = await importSigner(await file.text());
      session.signer = { ...signer, clientId: String(data.get('client_id')).trim() };
      await requestToken();
      form.reset();
      showMessage('');
      await showFirstView();
    } catch (error) {
      session.signer = undefined;
      showMessage(`Sign-in failed: ${describeError(error)}`);
    }
  });
  $('#token-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    session.token = String(new FormData(form).get('token')).trim();
    form.reset();
    showMessage('');
    await showFirstView();
  });
  $('#sign-out').addEventListener('click', () => signOut());
  // A message outlives the navigation an action makes (a new client's page says it was registered);
  // moving between sections by the menu clears it.
  for (const link of document.querySelectorAll('nav a')) link.addEventListener('click', () => showMessage(''));
  window.addEventListener('hashchange', () => { render(); });
  await render();
}

start();
