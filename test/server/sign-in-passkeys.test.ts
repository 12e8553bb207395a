/**
 * Passkeys in a real browser (Debian's Chromium through playwright-core, with Chromium's virtual
 * authenticator over CDP): a user signs in with a password, adds a passkey, signs out, then, in the
 * middle of an authorization request, signs in with the passkey alone, and the client receives a
 * code (with state and iss); the session carries amr hwk + user; a replayed
 * passkey answer is refused (each challenge works once); the pages raise no CSP violation or script
 * error. The issuer is http://localhost:<port> (WebAuthn refuses an IP address as RP ID).
 *
 * Skipped with a message when /usr/bin/chromium is missing, except in CI
 * (KEYWARD_TEST_REQUIRE_SERVICES=1), where a missing browser fails.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import type { Browser } from 'playwright-core';
import { createRegistryContext, createUser } from '../../packages/keyward/src/server/services/registry/index.ts';
import { startTestServer } from './helpers.ts';
import { chromiumSkip, launchChromium } from '../shared/chromium.ts';
import { freePort } from '../shared/free-port.ts';
import { addCodeClient, authorizeUrl, pkcePair } from './authorization-helpers.ts';

const skip = chromiumSkip('the passkey browser tests');

let server: Awaited<ReturnType<typeof startTestServer>>;
let browser: Browser | undefined;
let base = '';

before(async () => {
  if (skip) return;
  const port = await freePort();
  base = `http://localhost:${port}`;
  server = await startTestServer({ overrides: { server: { port, issuer: base } } });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('passkeys: add one after a password sign-in, then sign in with it alone; a replayed answer is refused', { skip }, async () => {
  const user = await createUser(createRegistryContext(server.context.store), { actor: 'test', username: 'pat', password: 'the right password' });
  const context = await browser!.newContext();
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => { if (message.type() === 'error' && !/status of 404/.test(message.text())) problems.push(`console error: ${message.text()}`); });
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });

  await page.goto(`${base}/sign-in`);
  assert.equal(await page.locator('#passkey-section').isVisible(), true, 'the script shows the passkey button');
  await page.fill('#username', 'pat');
  await page.fill('#password', 'the right password');
  await page.click('form button[type=submit]');
  await page.waitForURL(`${base}/sign-in/done`);
  await page.click('text=Your passkeys');
  await page.waitForURL(`${base}/sign-in/passkeys`);
  await page.click('#passkey-add');
  await page.waitForSelector('#passkeys li', { timeout: 15_000 }).catch(async () => {
    assert.fail(`no passkey added: ${await page.locator('#passkey-status').innerText()} ${problems.join('; ')}`);
  });
  const stored = await server.context.store.users.listPasskeys(user.sub);
  assert.equal(stored.length, 1);

  await page.goto(`${base}/sign-out`);
  await page.click('form button[type=submit]');
  await page.waitForSelector('text=You are signed out');
  assert.ok(!(await context.cookies()).some((c) => c.name === 'keyward_session'));

  // A passkey sign-in in the middle of an authorization request ends with a code at the client
  // (a loopback server of the test; a route would not see the last hop of a redirect chain).
  const landed: URL[] = [];
  const relyingParty = createHttpServer((request, response) => {
    landed.push(new URL(request.url ?? '/', 'http://127.0.0.1'));
    response.end('the client received the code');
  });
  await new Promise<void>((resolve) => relyingParty.listen(0, '127.0.0.1', resolve));
  const callbackUrl = `http://127.0.0.1:${(relyingParty.address() as { port: number }).port}/cb`;
  const client = await addCodeClient(server, { consent: 'implicit', redirectUris: [callbackUrl] });
  let captured: string | undefined;
  page.on('request', (request) => { if (request.url() === `${base}/sign-in/passkey` && request.method() === 'POST') captured = request.postData() ?? undefined; });
  await page.goto(`${base}${authorizeUrl(server, client, { challenge: pkcePair().challenge, state: 's1', nonce: 'n1' })}`);
  await page.waitForURL(/\/sign-in\?return_to=/);
  await Promise.all([page.waitForURL((url) => url.href.startsWith(`${callbackUrl}?`)), page.click('#passkey-sign-in')]);
  const callback = landed.filter((url) => url.pathname === '/cb').at(-1)!;
  assert.ok(callback.searchParams.get('code'), 'an authorization code');
  assert.equal(callback.searchParams.get('state'), 's1');
  assert.equal(callback.searchParams.get('iss'), server.issuer);
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'keyward_session');
  assert.ok(session);
  const current = await server.context.signIn.current(new Request(`${base}/authorize`, { headers: { cookie: `keyward_session=${session.value}` } }));
  assert.equal(current?.sub, user.sub);
  assert.deepEqual(current?.amr, ['hwk', 'user']);
  assert.ok((await server.context.store.users.findPasskey(stored[0]!.credentialId))?.lastUsedAt, 'the use is recorded');

  // The same answer again, with this browser's cookies: its challenge was used.
  assert.ok(captured);
  const replay = await fetch(`${server.url}/sign-in/passkey`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') },
    body: captured,
  });
  assert.equal(replay.status, 401);
  assert.deepEqual(problems, []);
  await context.close();
  // Closed only now: the browser may still ask the client's origin for its icon.
  relyingParty.close();
});
