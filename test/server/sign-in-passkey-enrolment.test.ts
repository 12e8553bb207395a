/**
 * Passkey enrolment links in a real browser (Debian's Chromium through playwright-core, with
 * Chromium's virtual authenticator over CDP): a user who must use a passkey and has none cannot
 * sign in; the operator makes a link with `keyward users passkey-link`; the user opens it,
 * creates a passkey, and signs in with it; the link works once; the pages raise no CSP violation or
 * script error. The admin API makes the same link. The issuer is http://localhost:<port> (WebAuthn
 * refuses an IP address as RP ID).
 *
 * Skipped with a message when /usr/bin/chromium is missing, except in CI
 * (KEYWARD_TEST_REQUIRE_SERVICES=1), where a missing browser fails.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { createRegistryContext, createUser } from '../../packages/keyward/src/server/services/registry/index.ts';
import { addTestClient, requestToken, startTestServer } from './helpers.ts';
import { CookieJar, signIn } from './sign-in-helpers.ts';
import { runKeyward } from '../cli/run-cli.ts';
import { chromiumSkip, launchChromium } from '../shared/chromium.ts';
import { freePort } from '../shared/free-port.ts';

const skip = chromiumSkip('the passkey enrolment browser test');

let server: Awaited<ReturnType<typeof startTestServer>>;
let browser: Browser | undefined;
let base = '';

before(async () => {
  const port = await freePort();
  base = `http://localhost:${port}`;
  server = await startTestServer({ overrides: { server: { port, issuer: base }, signIn: { passkeyEnrolmentSeconds: 600, maxSuccessesPerAddress: 1 } } });
  if (!skip) browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('passkey-link: a user who must use a passkey and has none enrols one with a single-use link, then signs in with it', { skip }, async () => {
  const user = await createUser(createRegistryContext(server.context.store), { actor: 'test', username: 'quinn', password: 'the right password', requirePasskey: true });
  const refused = await signIn(server.url, new CookieJar(), 'quinn', 'the right password');
  assert.notEqual(refused.response.status, 303, 'the password alone does not sign in');

  const made = await runKeyward(['users', 'passkey-link', '--username', 'quinn', '--json'], { env: { KEYWARD_DATA_DIR: server.dataDir, KEYWARD_ISSUER: base } });
  assert.equal(made.code, 0, made.stderr);
  const link = JSON.parse(made.stdout) as { sub: string; enrolment_url: string; expires_at: string };
  assert.equal(link.sub, user.sub);
  const secret = /^http:\/\/localhost:\d+\/sign-in\/enrol#token=([A-Za-z0-9_-]{43})$/.exec(link.enrolment_url)?.[1];
  assert.ok(secret, `a link with 256 bits in its fragment: ${link.enrolment_url}`);
  const lifetime = Date.parse(link.expires_at) - Date.now();
  assert.ok(lifetime > 840_000 && lifetime <= 900_000, 'valid the default 15 minutes (the CLI reads its own configuration)');
  const audit = await server.context.store.audit.queryAudit({ type: 'user.passkey_link_created' });
  assert.equal(audit[0]?.actor, 'cli');
  assert.ok(!JSON.stringify(audit).includes(secret), 'never the secret');

  const context = await browser!.newContext();
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => { if (message.type() === 'error' && !/status of (400|404)/.test(message.text())) problems.push(`console error: ${message.text()}`); });
  const requested: string[] = [];
  page.on('request', (request) => requested.push(request.url()));
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });

  await page.goto(link.enrolment_url);
  assert.equal(new URL(page.url()).hash, '', 'the secret leaves the address bar');
  await Promise.all([page.waitForURL(`${base}/sign-in`, { timeout: 15_000 }), page.click('#passkey-enrol')]).catch(async (error: unknown) => {
    assert.fail(`no passkey enrolled: ${await page.locator('#passkey-status').innerText().catch(() => '')} ${problems.join('; ')} ${String(error)}`);
  });
  const stored = await server.context.store.users.listPasskeys(user.sub);
  assert.equal(stored.length, 1, 'one passkey registered');
  assert.ok(!requested.some((url) => url.includes(secret)), 'the secret never travels in a URL');

  // Signs in with it alone.
  await Promise.all([page.waitForURL(`${base}/sign-in/done`), page.click('#passkey-sign-in')]);
  const session = (await context.cookies()).find((c) => c.name === 'keyward_session');
  const current = await server.context.signIn.current(new Request(`${base}/authorize`, { headers: { cookie: `keyward_session=${session?.value ?? ''}` } }));
  assert.equal(current?.sub, user.sub);
  assert.deepEqual(current?.amr, ['hwk', 'user']);

  // The link worked once.
  await page.goto(link.enrolment_url);
  await page.click('#passkey-enrol');
  await page.waitForFunction(() => /already used|expired/.test(document.getElementById('passkey-status')?.textContent ?? ''), undefined, { timeout: 15_000 });
  assert.equal((await server.context.store.users.listPasskeys(user.sub)).length, 1, 'no second passkey');
  assert.deepEqual(problems, []);
  await context.close();
  // The passkey sign-in counted against the address's successes (signIn.maxSuccessesPerAddress 1 here).
  await createUser(createRegistryContext(server.context.store), { actor: 'test', username: 'sam', password: 'the right password' });
  assert.equal((await signIn(server.url, new CookieJar(), 'sam', 'the right password')).response.status, 429);
});

test('passkey-link through the admin API: POST /admin/v1/users/{user}/passkey-link answers the link once, valid signIn.passkeyEnrolmentSeconds; an unknown or forged secret is refused', async () => {
  await createUser(createRegistryContext(server.context.store), { actor: 'test', username: 'rowan', requirePasskey: true });
  const admin = await addTestClient(server, { scopes: ['keyward:admin'], clientId: 'enrol-admin' });
  const token = (await requestToken(server, admin, { scope: 'keyward:admin' })).json.access_token as string;
  const answer = await fetch(`${server.url}/admin/v1/users/rowan/passkey-link`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  assert.equal(answer.status, 201);
  assert.equal(answer.headers.get('cache-control'), 'no-store');
  const link = await answer.json() as { username: string; enrolment_url: string; expires_at: string };
  assert.equal(link.username, 'rowan');
  assert.match(link.enrolment_url, new RegExp(`^${base}/sign-in/enrol#token=[A-Za-z0-9_-]{43}$`));
  const lifetime = Date.parse(link.expires_at) - Date.now();
  assert.ok(lifetime > 540_000 && lifetime <= 600_000, 'the configured 10 minutes');
  assert.equal((await fetch(`${server.url}/admin/v1/users/nobody/passkey-link`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status, 404);
  // Without the right secret there are no registration options.
  const page = await fetch(`${server.url}/sign-in/enrol`);
  const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(await page.text())![1]!;
  const secret = link.enrolment_url.split('#token=')[1]!;
  const options = (enrolmentToken: string) => fetch(`${server.url}/sign-in/enrol/options`, {
    method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify({ csrf_token: csrf, enrolment_token: enrolmentToken }),
  });
  assert.equal((await options(`${secret.slice(0, -2)}AA`)).status, 400);
  const good = await options(secret);
  assert.equal(good.status, 200);
  assert.equal(((await good.json()) as { user: { name: string } }).user.name, 'rowan');
});
