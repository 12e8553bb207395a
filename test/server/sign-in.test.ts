/**
 * The sign-in pages over real HTTP: strict CSP and accessible HTML, CSRF tokens bound to the
 * pre-session cookie, no session fixation, escaped echoes, the same answer for an unknown user and
 * a wrong password, throttling, return_to only to /authorize, idle and absolute lifetimes on an
 * injected clock, sign-out, a session surviving a restart (SQLite), and the SignInPort.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { hash } from '@node-rs/argon2';
import { createRegistryContext, createUser, setUserStatus, verifyPassword } from '../../packages/keyward/src/server/services/registry/index.ts';
import { flushAudit, makeDataDir, startTestServer } from './helpers.ts';
import { browse, CookieJar, csrfOf, signIn } from './sign-in-helpers.ts';

const CSP = "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
let clock = Math.floor(Date.now() / 1000);
let server: Awaited<ReturnType<typeof startTestServer>>;

async function addUser(s: typeof server, username: string, password = 'the right password', extra: { requirePasskey?: boolean } = {}): Promise<string> {
  const user = await createUser(createRegistryContext(s.context.store), { actor: 'test', username, password, name: `${username} name`, ...extra });
  return user.sub;
}

before(async () => {
  server = await startTestServer({ clock: () => clock * 1000, overrides: { signIn: { sessionIdleSeconds: 600, sessionMaxSeconds: 3600 } } });
});
after(async () => { await server.stop(); });

test('GET /sign-in: strict CSP, no-store, accessible form, a pre-session cookie HttpOnly SameSite=Lax Path=/', async () => {
  const jar = new CookieJar();
  const { response, text } = await browse(jar, `${server.url}/sign-in`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-security-policy'), CSP);
  assert.equal(response.headers.get('cache-control'), 'no-store');
  assert.equal(response.headers.get('x-frame-options'), 'DENY');
  assert.match(text, /<html lang="en">/);
  assert.match(text, /<label for="username">Username<\/label>\s*<input id="username" name="username"/);
  assert.match(text, /<label for="password">Password<\/label>\s*<input id="password" name="password" type="password" autocomplete="current-password"/);
  assert.ok(!/<script(?! src="\/sign-in\/(webauthn|passkey)\.js" defer><\/script>)|style=/.test(text), 'no inline script, no inline style');
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('keyward_presession='));
  assert.ok(cookie);
  assert.match(cookie, /; Path=\/; HttpOnly; SameSite=Lax$/);
  const css = await fetch(`${server.url}/sign-in/sign-in.css`);
  assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
});

test('sign-in: the right password starts a session with a fresh cookie and lands on the success page', async () => {
  const sub = await addUser(server, 'alice');
  const jar = new CookieJar();
  const { response } = await signIn(server.url, jar, 'ALICE', 'the right password');
  assert.equal(response.status, 303);
  assert.equal(response.headers.get('location'), '/sign-in/done');
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('keyward_session='));
  assert.match(cookie ?? '', /^keyward_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=3600$/);
  const done = await browse(jar, `${server.url}/sign-in/done`);
  assert.equal(done.response.status, 200);
  assert.match(done.text, /signed in as <strong>alice<\/strong>/);
  const current = await server.context.signIn.current(new Request(`${server.url}/authorize`, { headers: { cookie: jar.header() } }));
  assert.equal(current?.sub, sub);
  assert.deepEqual(current?.amr, ['pwd']);
  assert.equal(current?.authTime, clock);
  assert.notEqual(current?.sessionId, jar.cookies.get('keyward_session'), 'the session id is the hash, not the cookie');
  assert.ok((await server.context.store.users.getUser(sub))?.lastSignInAt);
  await server.context.audit.flush();
  const events = await server.context.store.audit.queryAudit({ type: 'user.signed_in' });
  assert.equal(events[0]?.details?.sub, sub);
  assert.ok(!JSON.stringify(events).includes('the right password'));
});

test('CSRF: a POST without a token, with a token of another cookie, or without the cookie is refused (403), even with the right password', async () => {
  await addUser(server, 'csrf-user');
  const other = new CookieJar();
  const otherToken = csrfOf((await browse(other, `${server.url}/sign-in`)).text);
  const jar = new CookieJar();
  await browse(jar, `${server.url}/sign-in`);
  const attempts: Array<[CookieJar, Record<string, string>]> = [
    [jar, { username: 'csrf-user', password: 'the right password' }],
    [jar, { username: 'csrf-user', password: 'the right password', csrf_token: otherToken }],
    [jar, { username: 'csrf-user', password: 'the right password', csrf_token: `${otherToken.slice(0, -1)}A` }],
    [new CookieJar(), { username: 'csrf-user', password: 'the right password', csrf_token: otherToken }],
  ];
  for (const [cookies, form] of attempts) {
    const { response, text } = await browse(cookies, `${server.url}/sign-in`, { form });
    assert.equal(response.status, 403, JSON.stringify(form));
    assert.ok(!response.headers.getSetCookie().some((c) => c.startsWith('keyward_session=')), 'no session');
    assert.match(text, /role="alert"/);
  }
});

test('fixation: a session cookie set before sign-in is never promoted; the session the browser carried ends', async () => {
  await addUser(server, 'victim');
  await addUser(server, 'attacker');
  const planted = 'A'.repeat(43);
  const jar = new CookieJar();
  jar.cookies.set('keyward_session', planted);
  await signIn(server.url, jar, 'victim', 'the right password');
  assert.notEqual(jar.cookies.get('keyward_session'), planted);
  const withPlanted = new Request(`${server.url}/authorize`, { headers: { cookie: `keyward_session=${planted}` } });
  assert.equal(await server.context.signIn.current(withPlanted), null);

  // An attacker's own live session planted in the victim's browser ends when the victim signs in.
  const attacker = new CookieJar();
  await signIn(server.url, attacker, 'attacker', 'the right password');
  const attackerCookie = attacker.cookies.get('keyward_session')!;
  const victim = new CookieJar();
  victim.cookies.set('keyward_session', attackerCookie);
  await signIn(server.url, victim, 'victim', 'the right password');
  assert.notEqual(victim.cookies.get('keyward_session'), attackerCookie);
  assert.equal(await server.context.signIn.current(new Request(server.url, { headers: { cookie: `keyward_session=${attackerCookie}` } })), null);
});

test('XSS: a typed username and a return_to are echoed escaped', async () => {
  const jar = new CookieJar();
  const evil = '"><script>alert(1)</script><img src=x onerror=alert(2)>';
  const returnTo = '/authorize?state="><script>alert(3)</script>';
  const { response, text } = await signIn(server.url, jar, evil, 'whatever password', returnTo);
  assert.equal(response.status, 401);
  assert.ok(!text.includes('<script>') && !text.includes('<img'), 'nothing echoed as markup');
  assert.match(text, /value="&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;&lt;img src=x onerror=alert\(2\)&gt;"/);
  assert.match(text, /name="return_to" value="\/authorize\?state=&quot;&gt;&lt;script&gt;alert\(3\)&lt;\/script&gt;"/);
  assert.equal(response.headers.get('content-security-policy'), CSP);
});

test('an unknown user, a wrong password and a disabled user get the same status and page', async () => {
  const sub = await addUser(server, 'bob');
  await addUser(server, 'carol');
  await setUserStatus(createRegistryContext(server.context.store), 'carol', 'disabled', 'test');
  const answers = [];
  for (const [username, password] of [['nobody1', 'the right password'], ['bob1', 'x'], ['bob', 'wrong password'], ['carol', 'the right password']] as const) {
    const jar = new CookieJar();
    jar.cookies.set('keyward_presession', 'P'.repeat(43));
    const { response, text } = await signIn(server.url, jar, username, password);
    answers.push({ status: response.status, text: text.replace(`value="${username}"`, 'value="…"'), cookies: response.headers.getSetCookie() });
  }
  for (const answer of answers) {
    assert.equal(answer.status, 401);
    assert.equal(answer.text, answers[0]!.text);
    assert.deepEqual(answer.cookies, []);
  }
  assert.match(answers[0]!.text, /The username or password is not right/);
  assert.ok(sub);
});

test('a user who must use a passkey cannot sign in with a password alone', async () => {
  await addUser(server, 'pk-user', 'the right password', { requirePasskey: true });
  const { response, text } = await signIn(server.url, new CookieJar(), 'pk-user', 'the right password');
  assert.equal(response.status, 403);
  assert.match(text, /passkey/);
  assert.ok(!response.headers.getSetCookie().some((c) => c.startsWith('keyward_session=')));
});

test('return_to: only a same-origin /authorize path is followed; anything else lands on the success page', async () => {
  await addUser(server, 'dave');
  // The browser goes on by a refresh (and a link), not a redirect of the form POST (CSP form-action).
  const continuesTo = async (returnTo: string) => {
    const { response, text } = await signIn(server.url, new CookieJar(), 'dave', 'the right password', returnTo);
    assert.equal(response.status, 200);
    const refresh = /<meta http-equiv="refresh" content="0; url=([^"]*)">/.exec(text)?.[1]?.replaceAll('&amp;', '&');
    assert.ok(text.includes(`<a href="${refresh?.replaceAll('&', '&amp;')}">Continue</a>`), 'a link for browsers that do not refresh');
    return refresh;
  };
  const good = '/authorize?client_id=app&state=xyz&redirect_uri=https%3A%2F%2Fapp.example%2Fcb';
  assert.equal(await continuesTo(good), good);
  assert.equal(await continuesTo('/authorize'), '/authorize');
  assert.equal(await continuesTo('/authorize/resume?id=abc'), '/authorize/resume?id=abc', 'where a request waiting for the sign-in continues');
  for (const bad of ['https://evil.example/authorize', '//evil.example/authorize', '/\\evil.example/authorize', '/authorize/../admin/v1/users', '/authorize/resume/../x', '/authorize/resumeX', '/authorizeX', '/authorize#x', 'javascript:alert(1)', '/sign-out', ' /authorize', `/authorize?${'a'.repeat(5000)}`]) {
    const page = await browse(new CookieJar(), `${server.url}/sign-in?return_to=${encodeURIComponent(bad)}`);
    assert.ok(!page.text.includes('name="return_to"'), `not carried in the form: ${bad}`);
    const { response } = await signIn(server.url, new CookieJar(), 'dave', 'the right password', bad);
    assert.equal(response.headers.get('location'), '/sign-in/done', bad);
  }
  assert.equal(server.context.signIn.signInUrl('/authorize?a=b'), `${server.issuer}/sign-in?return_to=%2Fauthorize%3Fa%3Db`);
  assert.throws(() => server.context.signIn.signInUrl('https://evil.example/authorize'), TypeError);
});

test('lifetimes: a session ends after the idle time without use, and at the absolute end even if used', async () => {
  await addUser(server, 'erin');
  const jar = new CookieJar();
  await signIn(server.url, jar, 'erin', 'the right password');
  const start = clock;
  try {
    // Used every 500 s (< 600 s idle): alive until the 3600 s absolute end.
    for (let t = 500; t < 3600; t += 500) {
      clock = start + t;
      assert.equal((await browse(jar, `${server.url}/sign-in/done`)).response.status, 200, `alive at +${t}s`);
    }
    clock = start + 3601;
    assert.equal((await browse(jar, `${server.url}/sign-in/done`)).response.status, 303, 'ended at the absolute end');

    const idle = new CookieJar();
    clock = start;
    await signIn(server.url, idle, 'erin', 'the right password');
    clock = start + 601;
    assert.equal((await browse(idle, `${server.url}/sign-in/done`)).response.status, 303, 'ended after 600 s idle');
  } finally {
    clock = start;
  }
});

test('sign-out: needs the CSRF token; ends the session and clears the cookie', async () => {
  await addUser(server, 'frank');
  const jar = new CookieJar();
  await signIn(server.url, jar, 'frank', 'the right password');
  const refused = await browse(jar, `${server.url}/sign-out`, { form: { csrf_token: 'x' } });
  assert.equal(refused.response.status, 403);
  assert.equal((await browse(jar, `${server.url}/sign-in/done`)).response.status, 200, 'still signed in');
  const confirm = await browse(jar, `${server.url}/sign-out`);
  assert.equal(confirm.response.headers.get('content-security-policy'), CSP);
  const cookie = jar.cookies.get('keyward_session')!;
  const out = await browse(jar, `${server.url}/sign-out`, { form: { csrf_token: csrfOf(confirm.text) } });
  assert.equal(out.response.status, 200);
  assert.match(out.response.headers.getSetCookie().join('\n'), /keyward_session=; Path=\/; HttpOnly; SameSite=Lax; Max-Age=0/);
  assert.equal(await server.context.signIn.current(new Request(server.url, { headers: { cookie: `keyward_session=${cookie}` } })), null);
});

test('the SignInPort: claims of active users only; end() ends a session; disabling a user ends its sessions', async () => {
  const sub = await addUser(server, 'grace');
  assert.deepEqual(await server.context.signIn.claims(sub), { sub, preferred_username: 'grace', name: 'grace name' });
  assert.equal(await server.context.signIn.claims('unknown-sub'), null);
  const jar = new CookieJar();
  await signIn(server.url, jar, 'grace', 'the right password');
  const request = () => new Request(server.url, { headers: { cookie: jar.header() } });
  const session = await server.context.signIn.current(request());
  assert.ok(session);
  await server.context.signIn.end(session.sessionId);
  assert.equal(await server.context.signIn.current(request()), null);
  await signIn(server.url, jar, 'grace', 'the right password');
  assert.ok(await server.context.signIn.current(request()));
  await setUserStatus(createRegistryContext(server.context.store), sub, 'disabled', 'test');
  assert.equal(await server.context.signIn.current(request()), null);
  assert.equal(await server.context.signIn.claims(sub), null);
});

test('bad requests answer a page with a 4xx, never a 500; other methods 405', async () => {
  const json = await fetch(`${server.url}/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(json.status, 400);
  assert.equal(json.headers.get('content-type'), 'text/html; charset=utf-8');
  const repeated = await fetch(`${server.url}/sign-in`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'username=a&username=b' });
  assert.equal(repeated.status, 400);
  const big = await fetch(`${server.url}/sign-in`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `username=${'a'.repeat(200_000)}` });
  assert.equal(big.status, 413);
  assert.equal((await fetch(`${server.url}/sign-in`, { method: 'PUT' })).status, 405);
});

test('throttling: failures per username, then per source address, answer 429 with Retry-After, even with the right password; audited', async () => {
  const limited = await startTestServer({ overrides: { signIn: { maxFailuresPerUsername: 3, maxFailuresPerAddress: 6, failureWindowSeconds: 600 } } });
  try {
    await addUser(limited, 'henry');
    for (let i = 0; i < 3; i += 1) assert.equal((await signIn(limited.url, new CookieJar(), 'henry', 'wrong password')).response.status, 401);
    const blocked = await signIn(limited.url, new CookieJar(), 'Henry', 'the right password');
    assert.equal(blocked.response.status, 429);
    assert.ok(Number(blocked.response.headers.get('retry-after')) > 0);
    assert.match(blocked.text, /Too many failed attempts/);
    // An unknown username is throttled the same way (nothing tells which usernames exist).
    for (let i = 0; i < 3; i += 1) await signIn(limited.url, new CookieJar(), 'ghost', 'wrong password');
    assert.equal((await signIn(limited.url, new CookieJar(), 'other', 'wrong password')).response.status, 429, 'the address has used its 6 failures');
    await limited.context.audit.flush();
    assert.ok((await limited.context.store.audit.queryAudit({ type: 'user.sign_in_throttled' })).length >= 2);
    assert.equal((await limited.context.store.audit.queryAudit({ type: 'user.sign_in_failed' })).length, 6);
  } finally {
    await limited.stop();
  }
});

test('an https issuer: Secure cookies with the __Host- prefix', async () => {
  const secure = await startTestServer({ overrides: { server: { issuer: 'https://auth.example.test' } } });
  try {
    const { response } = await browse(new CookieJar(), `${secure.url}/sign-in`);
    assert.match(response.headers.getSetCookie()[0] ?? '', /^__Host-keyward_presession=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Secure$/);
  } finally {
    await secure.stop();
  }
});

test('a session survives a server restart (SQLite)', async () => {
  const data = makeDataDir();
  try {
    const first = await startTestServer({ dataDir: data.dir });
    await addUser(first, 'ivy');
    const jar = new CookieJar();
    await signIn(first.url, jar, 'ivy', 'the right password');
    await first.stop();
    const second = await startTestServer({ dataDir: data.dir });
    try {
      const done = await browse(jar, `${second.url}/sign-in/done`);
      assert.equal(done.response.status, 200);
      assert.match(done.text, /signed in as <strong>ivy<\/strong>/);
    } finally {
      await second.stop();
    }
  } finally {
    data.remove();
  }
});

test('a password hash made with weaker argon2 settings is replaced at the next successful sign-in (same password, current settings, audited)', async () => {
  const sub = await addUser(server, 'legacy-hash');
  // A hash made with low settings (m=1024 KiB, t=1), as an older release or an import would leave.
  const weak = await hash('the right password', { memoryCost: 1024, timeCost: 1, parallelism: 1, algorithm: 2 });
  await server.context.store.users.updateUser(sub, { passwordHash: weak });
  const wrong = await signIn(server.url, new CookieJar(), 'legacy-hash', 'a wrong password');
  assert.equal(wrong.response.status, 401);
  assert.equal((await server.context.store.users.getUser(sub))?.passwordHash, weak, 'a failed sign-in changes nothing');
  const { response } = await signIn(server.url, new CookieJar(), 'legacy-hash', 'the right password');
  assert.equal(response.status, 303);
  const stored = (await server.context.store.users.getUser(sub))?.passwordHash ?? '';
  assert.match(stored, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  assert.equal(await verifyPassword(stored, 'the right password'), true);
  const [event] = await server.context.store.audit.queryAudit({ type: 'user.password_rehashed' });
  assert.equal(event?.details?.sub, sub);
  assert.equal(event?.details?.from, 'argon2id$v=19$m=1024,t=1,p=1');
  assert.ok(!JSON.stringify(event).includes(stored.split('$').at(-1)!), 'never the hash');
  // Current settings: left alone the next time.
  await signIn(server.url, new CookieJar(), 'legacy-hash', 'the right password');
  assert.equal((await server.context.store.users.getUser(sub))?.passwordHash, stored);
});

test('successful sign-ins are counted per source address too: past signIn.maxSuccessesPerAddress the address is held back (429), audited like failures', async () => {
  const limited = await startTestServer({ overrides: { signIn: { maxSuccessesPerAddress: 3, maxFailuresPerAddress: 1000 } } });
  try {
    for (const name of ['s1', 's2', 's3', 's4']) await addUser(limited, name);
    // Credential stuffing with pairs that work: nothing fails, and still the address is stopped.
    for (const name of ['s1', 's2', 's3']) assert.equal((await signIn(limited.url, new CookieJar(), name, 'the right password')).response.status, 303, name);
    const held = await signIn(limited.url, new CookieJar(), 's4', 'the right password');
    assert.equal(held.response.status, 429);
    assert.match(held.text, /Too many sign-ins from your network/);
    assert.ok(Number(held.response.headers.get('retry-after')) >= 1);
    assert.equal((await signIn(limited.url, new CookieJar(), 's1', 'the right password')).response.status, 429, 'a user who signed in before too');
    await flushAudit(limited);
    const [event] = await limited.context.store.audit.queryAudit({ type: 'user.sign_in_throttled' });
    assert.equal(event?.details?.limit, 'successes_per_address');
    assert.equal(event?.details?.outcome, 'throttled');
    assert.ok(event?.sourceAddress, 'with the source address, as failures are');
  } finally {
    await limited.stop();
  }
});
