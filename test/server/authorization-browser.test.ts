/**
 * The consent page in a real browser (Chromium through playwright-core): its CSP lets the page show
 * without a violation and lets the Allow button's answer redirect to the client (browsers check
 * `form-action` along the form's redirect chain), and the browser lands on the client's redirect
 * URI (a loopback server of the test) with the code, the state and iss. The sign-in page itself is
 * the SignInPort test double's cookie. Skipped with a message when /usr/bin/chromium is missing
 * (apt-get install chromium), except when KEYWARD_TEST_REQUIRE_SERVICES=1.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { createSignInTestDouble } from './sign-in-test-double.ts';
import { addCodeClient, authorizeUrl, pkcePair } from './authorization-helpers.ts';
import { startTestServer } from './helpers.ts';
import { chromiumSkip, launchChromium } from '../shared/chromium.ts';

const skip = chromiumSkip('the browser test of the consent page');

const signIn = createSignInTestDouble();
let server: Awaited<ReturnType<typeof startTestServer>>;
let browser: Browser | undefined;
let relyingParty: Server | undefined;
const callbacks: URL[] = [];

before(async () => {
  if (skip) return;
  server = await startTestServer({ signIn });
  signIn.addUser({ sub: 'user-b', preferred_username: 'bea' });
  relyingParty = createServer((request, response) => {
    callbacks.push(new URL(request.url ?? '/', 'http://127.0.0.1'));
    response.end('callback received');
  });
  await new Promise<void>((resolve) => relyingParty!.listen(0, '127.0.0.1', resolve));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  relyingParty?.close();
  await server?.stop();
});

test('consent page in Chromium: no CSP violation, Allow lands on the client with code, state and iss', { skip }, async () => {
  const port = (relyingParty!.address() as AddressInfo).port;
  const client = await addCodeClient(server, { name: 'Loopback app', redirectUris: [`http://127.0.0.1:${port}/cb`] });
  const context = await browser!.newContext();
  const cookie = signIn.signIn('user-b').split('=');
  await context.addCookies([{ name: cookie[0]!, value: cookie[1]!, url: server.url }]);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => { if (message.type() === 'error') problems.push(`console error: ${message.text()}`); });
  await page.goto(`${server.url}${authorizeUrl(server, client, { challenge: pkcePair().challenge, state: 'browser-state' })}`);
  assert.equal(await page.locator('h1').innerText(), 'Allow Loopback app to access your account?');
  await Promise.all([page.waitForURL(/\/cb\?/), page.click('button[value="allow"]')]);
  assert.deepEqual(problems, []);
  const landed = callbacks.filter((url) => url.pathname === '/cb').at(-1)!;
  assert.equal(landed.pathname, '/cb');
  assert.ok(landed.searchParams.get('code'));
  assert.equal(landed.searchParams.get('state'), 'browser-state');
  assert.equal(landed.searchParams.get('iss'), server.issuer);
  await context.close();
});
