/**
 * Passkeys in a real browser (Debian's Chromium through playwright-core, with Chromium's virtual
 * authenticator over CDP): a user signs in with a password, adds a passkey, signs out, signs in
 * with the passkey alone and lands on return_to; the session carries amr hwk + user; a replayed
 * passkey answer is refused (each challenge works once); the pages raise no CSP violation or script
 * error. The issuer is http://localhost:<port> (WebAuthn refuses an IP address as RP ID).
 *
 * Skipped with a message when /usr/bin/chromium is missing, except in CI
 * (KEYWARD_TEST_REQUIRE_SERVICES=1), where a missing browser fails.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { Browser } from 'playwright-core';
import { createRegistryContext, createUser } from '../../packages/keyward/src/server/services/registry/index.ts';
import { startTestServer } from './helpers.ts';
import { chromiumSkip, launchChromium } from '../shared/chromium.ts';

const skip = chromiumSkip('the passkey browser tests');

let server: Awaited<ReturnType<typeof startTestServer>>;
let browser: Browser | undefined;
let base = '';

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

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
  // The return_to target names no registered client: /authorize answers its own error page (400).
  page.on('console', (message) => { if (message.type() === 'error' && !/status of 404/.test(message.text()) && !message.location().url.startsWith(`${base}/authorize`)) problems.push(`console error: ${message.text()}`); });
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

  let captured: string | undefined;
  page.on('request', (request) => { if (request.url() === `${base}/sign-in/passkey` && request.method() === 'POST') captured = request.postData() ?? undefined; });
  await page.goto(`${base}/sign-in?return_to=${encodeURIComponent('/authorize?client_id=app&state=s1')}`);
  await page.click('#passkey-sign-in');
  await page.waitForURL(`${base}/authorize?client_id=app&state=s1`);
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
});
