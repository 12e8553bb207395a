/**
 * The admin web console in a real browser (Debian's Chromium driven by playwright-core) against a
 * started server: `keyward admin init` makes the admin key, the page signs in with it (the assertion
 * signed in the browser by WebCrypto), registers a client from a pasted PEM, edits its settings,
 * rotates to a JWK, revokes the old key, disables the client, shows the audit log, creates an
 * initial access token; shows the open alerts in a badge, acknowledges and resolves alerts;
 * registers and edits a client of the authorization code flow (redirect URIs, grant types, consent,
 * PAR, ID token algorithm, key age) and shows the API's refusal of a redirect URI; lists a user's
 * consents and revokes one after a confirmation; a registry value holding markup is shown as text
 * and runs nothing; a wrong key, a non-admin token and an encrypted key are refused
 * with a reason; the page raises no CSP violation or script error. Each change is checked in the
 * store, not only on the page.
 *
 * Skipped with a message when /usr/bin/chromium is missing (apt-get install chromium), except in CI
 * (KEYWARD_TEST_REQUIRE_SERVICES=1), where a missing browser fails.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { addTestClient, assertionFor, flushAudit, makeDataDir, requestToken, startTestServer } from '../server/helpers.ts';
import { createRegistryContext, createUser } from '../../packages/keyward/src/server/services/registry/index.ts';
import { runKeyward } from '../cli/run-cli.ts';
import { chromiumSkip, launchChromium } from '../shared/chromium.ts';
import { makeAlert } from '../store/contract-suite.ts';
import type { AlertRecord } from '../../packages/keyward/src/store/contract.ts';

const skip = chromiumSkip('the browser tests of the console');

let server: Awaited<ReturnType<typeof startTestServer>>;
let browser: Browser | undefined;
const files = makeDataDir();
const adminKey = join(files.dir, 'admin.key');

before(async () => {
  if (skip) return;
  // The detector is off: the alerts the console shows are the ones the alerts test stores.
  server = await startTestServer({ overrides: { alerts: { enabled: false } } });
  // The admin client and its key, as an operator makes them: the CLI on the server's data directory.
  const init = await runKeyward(['admin', 'init', '--out', files.dir], { env: { KEYWARD_DATA_DIR: server.dataDir } });
  assert.equal(init.code, 0, init.stderr);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  files.remove();
});

/** What the page's confirm() dialogs are answered (accepted unless told otherwise), and what they said. */
interface Dialogs { accept: boolean; readonly messages: string[] }

/** A new page on the console, collecting script errors and CSP violations; dialogs are answered as `dialogs.accept` says. */
async function openConsole(): Promise<{ page: Page; problems: string[]; dialogs: Dialogs }> {
  const page = await browser!.newPage();
  const problems: string[] = [];
  const dialogs: Dialogs = { accept: true, messages: [] };
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => { if (message.type() === 'error') problems.push(`console error: ${message.text()}`); });
  page.on('dialog', (dialog) => {
    dialogs.messages.push(dialog.message());
    void (dialogs.accept ? dialog.accept() : dialog.dismiss());
  });
  await page.goto(`${server.url}/console/`);
  await page.waitForFunction(() => document.querySelector('#issuer')?.textContent !== '');
  return { page, problems, dialogs };
}

async function signInWithKey(page: Page, keyFile: string, clientId = 'keyward-admin'): Promise<void> {
  await page.fill('#key-form input[name=client_id]', clientId);
  await page.setInputFiles('#key-form input[name=key]', keyFile);
  await page.click('#key-form button[type=submit]');
}

const message = (page: Page) => page.locator('#message');

/** Waits until the page's message matches `pattern`. */
async function waitForMessage(page: Page, pattern: RegExp): Promise<void> {
  await page.waitForFunction((source) => new RegExp(source).test(document.querySelector('#message')?.textContent ?? ''), pattern.source);
}

const injected = (page: Page) => page.evaluate(() => (window as unknown as { __injected?: number }).__injected);

test('the console signs in with the admin key, registers a client from a PEM, edits it, rotates and revokes its key, disables it and shows the audit log', { skip }, async () => {
  const { page, problems } = await openConsole();
  await signInWithKey(page, adminKey);
  await page.waitForSelector('#clients');
  assert.match(await page.locator('#clients').innerText(), /keyward-admin/);

  // Register a client whose name is markup: it must be shown as text and run nothing.
  const name = '<img src=x onerror="window.__injected=1">billing';
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  await page.fill('#create-client input[name=client_name]', name);
  await page.fill('#create-client input[name=scope]', 'read write');
  await page.fill('#create-client textarea[name=keys]', publicKey.export({ type: 'spki', format: 'pem' }).toString());
  await page.click('#create-client button[type=submit]');
  await page.waitForSelector('#keys');
  await page.waitForFunction(() => /Client registered/.test(document.querySelector('#message')?.textContent ?? ''));
  assert.equal(await page.locator('#view h2').innerText(), name);
  assert.equal(await injected(page), undefined);
  assert.equal(await page.locator('#view h2 img').count(), 0);
  const clientId = decodeURIComponent(new URL(page.url()).hash.replace('#/clients/', ''));
  const stored = await server.context.store.clients.getClient(clientId);
  assert.equal(stored?.name, name);
  assert.deepEqual(stored?.scopes, ['read', 'write']);

  // Edit its settings: only what changed is sent, and it reaches the store.
  await page.fill('#edit-client input[name=scope]', 'read');
  await page.fill('#edit-client input[name=contact]', 'ops@example.com');
  await page.click('#edit-client button[type=submit]');
  await page.waitForFunction(() => /Settings saved/.test(document.querySelector('#message')?.textContent ?? ''));
  const edited = await server.context.store.clients.getClient(clientId);
  assert.deepEqual(edited?.scopes, ['read']);
  assert.equal(edited?.contact, 'ops@example.com');
  assert.equal(edited?.name, name);

  // Rotate to a new key (P-256 JWK): the old key is retiring, the new one active.
  const next = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
  await page.fill('#add-key textarea[name=keys]', JSON.stringify(next));
  await page.check('#add-key input[name=rotate]');
  await page.click('#add-key button[type=submit]');
  await page.waitForSelector('#keys td.state-retiring');
  const rotated = await server.context.store.clients.listKeys(clientId);
  assert.deepEqual(rotated.map((k) => `${k.jwk.kty}:${k.state}`).sort(), ['EC:active', 'RSA:retiring']);

  // Revoke the old key, then disable the client: both reach the store.
  await page.click('#keys tr:has(td.state-retiring) button:has-text("Revoke")');
  await page.waitForSelector('#keys td.state-revoked');
  const revoked = (await server.context.store.clients.listKeys(clientId)).find((k) => k.jwk.kty === 'RSA');
  assert.equal(revoked?.state, 'revoked');
  await page.click('button:has-text("Disable")');
  await page.waitForSelector('button:has-text("Enable")');
  assert.equal((await server.context.store.clients.getClient(clientId))?.state, 'disabled');
  assert.match(await message(page).innerText(), /disabled/);

  // The audit log of this client: its creation, the revocation and the disabling, by the admin.
  await flushAudit(server);
  await page.click(`a:has-text("Audit events of this client")`);
  await page.waitForSelector('#audit');
  const audit = await page.locator('#audit').innerText();
  for (const type of ['client.created', 'client.updated', 'key.retiring', 'key.revoked', 'client.disabled']) assert.match(audit, new RegExp(type.replace('.', '\\.')), audit);
  assert.match(audit, /keyward-admin/, 'the actor is the admin client');

  // An initial access token, shown once.
  await page.click('nav a[data-view=initial-access-tokens]');
  await page.waitForSelector('#create-initial-access-token');
  await page.click('#create-initial-access-token button[type=submit]');
  await page.waitForSelector('#new-initial-access-token');
  assert.ok((await page.locator('#new-initial-access-token').innerText()).length > 20);
  assert.equal((await server.context.store.initialAccessTokens.listInitialAccessTokens()).length, 1);

  // Sign out: the page forgets the token and the key.
  await page.click('#sign-out');
  await page.waitForSelector('#key-form', { state: 'visible' });
  assert.equal(await page.locator('#view').isHidden(), true);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the console refuses with a reason: a key the admin client does not hold, a token without keyward:admin, an encrypted key', { skip }, async () => {
  const { page, problems } = await openConsole();
  // A P-256 key that is not the admin's: the token endpoint refuses the assertion.
  const stranger = join(files.dir, 'stranger.pem');
  writeFileSync(stranger, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
  await signInWithKey(page, stranger);
  await page.waitForFunction(() => /Sign-in failed/.test(document.querySelector('#message')?.textContent ?? ''));
  assert.match(await message(page).innerText(), /401 invalid_client/);
  assert.equal(await page.locator('#view').isHidden(), true);

  // An encrypted PEM: the browser cannot open it; the message says what to do.
  const encrypted = join(files.dir, 'encrypted.pem');
  writeFileSync(encrypted, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret-pass' }));
  await signInWithKey(page, encrypted);
  await page.waitForFunction(() => /encrypted/.test(document.querySelector('#message')?.textContent ?? ''));
  assert.match(await message(page).innerText(), /Paste an access token instead/);

  // A valid access token without the admin scope: the admin API answers 403 insufficient_scope.
  const reader = await addTestClient(server, { scopes: ['read'] });
  const answer = await requestToken(server, reader, { scope: 'read' }, await assertionFor(server, reader));
  await page.fill('#token-form input[name=token]', answer.json.access_token as string);
  await page.click('#token-form button[type=submit]');
  await page.waitForFunction(() => /insufficient_scope/.test(document.querySelector('#message')?.textContent ?? ''));
  assert.match(await message(page).innerText(), /403 insufficient_scope/);
  // The refusals above are the page's own messages, not script errors (the 401/403 answers are logged by the browser as failed loads).
  assert.deepEqual(problems.filter((problem) => !/Failed to load resource/.test(problem)), []);
  await page.close();
});

test('the console adds a user (name shown as text), disables, enables and deletes it; each change reaches the store', { skip }, async () => {
  const { page, problems } = await openConsole();
  await signInWithKey(page, adminKey);
  await page.waitForSelector('#clients');
  await page.click('nav a[data-view=users]');
  await page.waitForSelector('#create-user');
  const name = '<img src=x onerror="window.__injected=2">Ann';
  await page.fill('#create-user input[name=username]', 'console-ann');
  await page.fill('#create-user input[name=name]', name);
  await page.fill('#create-user input[name=password]', 'a long console password');
  await page.click('#create-user button[type=submit]');
  await page.waitForSelector('#users td:has-text("console-ann")');
  const stored = await server.context.store.users.findUserByUsername('console-ann');
  assert.equal(stored?.name, name);
  assert.ok(stored?.passwordHash?.startsWith('$argon2id$'));
  assert.equal(await injected(page), undefined);
  assert.equal(await page.locator('#users img').count(), 0);

  await page.click('#users tr:has-text("console-ann") button:has-text("Disable")');
  await page.waitForSelector('#users tr:has-text("console-ann") button:has-text("Enable")');
  assert.equal((await server.context.store.users.getUser(stored!.sub))?.status, 'disabled');
  await page.click('#users tr:has-text("console-ann") button:has-text("Enable")');
  await page.waitForSelector('#users tr:has-text("console-ann") button:has-text("Disable")');
  await page.click('#users tr:has-text("console-ann") button:has-text("Delete")');
  await page.waitForFunction(() => /User deleted/.test(document.querySelector('#message')?.textContent ?? ''));
  assert.equal(await server.context.store.users.getUser(stored!.sub), undefined);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the console shows the open alerts in a badge, lists alerts with their figures, and acknowledges and resolves one (each move reaches the store, by the admin)', { skip }, async () => {
  const base = Date.parse('2026-12-01T08:00:00Z');
  const alert = (id: string, minutes: number, extra: Partial<AlertRecord>): AlertRecord => ({
    ...makeAlert(id, extra), raisedAt: new Date(base + minutes * 60_000),
  });
  await server.context.store.alerts.raiseAlert(alert('console-spike', 1, { clientId: '<img src=x onerror="window.__injected=3">app', observed: 240, expected: 12 }));
  await server.context.store.alerts.raiseAlert(alert('console-replay', 2, { kind: 'replay_burst', clientId: 'app-r', source: '203.0.113.9', observed: 31 }));
  await server.context.store.alerts.raiseAlert(alert('console-old', 0, { kind: 'key_age', state: 'resolved' }));

  const { page, problems } = await openConsole();
  await signInWithKey(page, adminKey);
  await page.waitForSelector('#clients');
  const badge = page.locator('#alerts-badge');
  await page.waitForFunction(() => document.querySelector('#alerts-badge')?.textContent === '2');
  assert.equal(await badge.isVisible(), true);

  await page.click('nav a[data-view=alerts]');
  await page.waitForSelector('#alerts');
  assert.match(await page.locator('#alert-counts').innerText(), /^2 open, 0 acknowledged, 1 resolved/);
  const spike = page.locator('#alerts tr[data-alert-id="console-spike"]');
  assert.match(await spike.innerText(), /open[\s\S]*issuance_spike[\s\S]*240 \(expected 12\)/);
  assert.match(await page.locator('#alerts tr[data-alert-id="console-replay"]').innerText(), /replay_burst[\s\S]*from 203\.0\.113\.9/);
  assert.equal(await page.locator('#alerts tr[data-alert-id="console-old"] button').count(), 0, 'a resolved alert has no button');
  assert.equal(await page.locator('#alerts img').count(), 0, 'a client_id holding markup is shown as text');
  assert.equal(await injected(page), undefined);

  // Acknowledge: the state moves in the store, by the admin client; the badge counts one open alert.
  await spike.locator('button[data-action=acknowledge]').click();
  await page.waitForFunction(() => /Alert acknowledged/.test(document.querySelector('#message')?.textContent ?? ''));
  await page.waitForFunction(() => document.querySelector('#alerts-badge')?.textContent === '1');
  const acknowledged = await server.context.store.alerts.getAlert('console-spike');
  assert.equal(acknowledged?.state, 'acknowledged');
  assert.equal(acknowledged?.updatedBy, 'keyward-admin');
  assert.match(await spike.innerText(), /acknowledged by keyward-admin/);
  assert.equal(await spike.locator('button[data-action=acknowledge]').count(), 0, 'only Resolve is left');

  // Resolve the other one, still open: the badge disappears when nothing is open.
  await page.locator('#alerts tr[data-alert-id="console-replay"] button[data-action=resolve]').click();
  await page.waitForFunction(() => /Alert resolved/.test(document.querySelector('#message')?.textContent ?? ''));
  await page.waitForFunction(() => (document.querySelector('#alerts-badge') as HTMLElement | null)?.hidden === true);
  assert.equal((await server.context.store.alerts.getAlert('console-replay'))?.state, 'resolved');

  // The state filter: only the acknowledged alert.
  await page.selectOption('#alert-filter select[name=state]', 'acknowledged');
  await page.click('#alert-filter button[type=submit]');
  await page.waitForFunction(() => document.querySelectorAll('#alerts tbody tr').length === 1);
  assert.equal(await page.locator('#alerts tbody tr').getAttribute('data-alert-id'), 'console-spike');
  assert.deepEqual(problems, []);
  await page.close();
});

test('the console registers a client of the authorization code flow through the form, shows its flow fields, edits them, and shows the API\'s refusal of a redirect URI as text', { skip }, async () => {
  const { page, problems } = await openConsole();
  await signInWithKey(page, adminKey);
  await page.waitForSelector('#create-client');
  const idTokenAlg = server.context.signingKeys.active().alg;
  const clientsBefore = (await server.context.store.clients.listClients()).length;

  // A javascript: redirect URI: the API refuses it, the page shows its error_description, nothing is stored.
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await page.fill('#create-client input[name=client_name]', 'web app');
  await page.fill('#create-client input[name=scope]', 'openid profile');
  await page.fill('#create-client textarea[name=keys]', publicKey.export({ type: 'spki', format: 'pem' }).toString());
  await page.check('#create-client input[name=grant_types][value=authorization_code]');
  await page.check('#create-client input[name=grant_types][value=refresh_token]');
  await page.fill('#create-client textarea[name=redirect_uris]', 'javascript:alert(document.domain)');
  await page.click('#create-client button[type=submit]');
  await waitForMessage(page, /scheme is refused/);
  assert.match(await message(page).innerText(), /^400 invalid_request: redirect_uris: the javascript: scheme is refused/);
  assert.equal((await server.context.store.clients.listClients()).length, clientsBefore);

  // The same form, corrected (the values typed are kept): every flow field reaches the store.
  const marked = 'https://app.example/cb?next=<img/src=x/onerror=window.__injected=5>';
  await page.fill('#create-client textarea[name=redirect_uris]', `https://app.example/callback\n\n  ${marked}  \n`);
  await page.fill('#create-client textarea[name=post_logout_redirect_uris]', 'https://app.example/bye');
  await page.selectOption('#create-client select[name=consent]', 'implicit');
  await page.check('#create-client input[name=require_pushed_authorization_requests]');
  await page.selectOption('#create-client select[name=id_token_signed_response_alg]', idTokenAlg);
  await page.fill('#create-client input[name=key_max_age_days]', '90');
  await page.click('#create-client button[type=submit]');
  await page.waitForSelector('#keys');
  await waitForMessage(page, /Client registered/);
  const clientId = decodeURIComponent(new URL(page.url()).hash.replace('#/clients/', ''));
  const stored = await server.context.store.clients.getClient(clientId);
  assert.deepEqual([...stored!.grantTypes].sort(), ['authorization_code', 'client_credentials', 'refresh_token']);
  assert.deepEqual(stored?.redirectUris, ['https://app.example/callback', marked]);
  assert.deepEqual(stored?.postLogoutRedirectUris, ['https://app.example/bye']);
  assert.deepEqual(stored?.responseTypes, ['code']);
  assert.equal(stored?.consent, 'implicit');
  assert.equal(stored?.requirePushedAuthorizationRequests, true);
  assert.equal(stored?.idTokenSignedResponseAlg, idTokenAlg);
  assert.equal(stored?.keyMaxAgeDays, 90);

  // The detail view shows them, the URI holding markup as text.
  const facts = await page.locator('#client-facts').innerText();
  for (const shown of ['https://app.example/callback', marked, 'https://app.example/bye', 'implicit', 'required for this client', idTokenAlg, '90 days', 'code']) {
    assert.ok(facts.includes(shown), `the facts show ${shown}:\n${facts}`);
  }
  assert.equal(await page.locator('#view img').count(), 0);
  assert.equal(await injected(page), undefined);
  // The edit form starts from the stored values.
  assert.equal(await page.locator('#edit-client textarea[name=redirect_uris]').inputValue(), `https://app.example/callback\n${marked}`);
  assert.equal(await page.locator('#edit-client select[name=consent]').inputValue(), 'implicit');
  assert.equal(await page.locator('#edit-client input[name=key_max_age_days]').inputValue(), '90');

  // An http redirect URI holding markup: refused, the description (which quotes it) shown as text, the store unchanged.
  const refused = 'http://app.example/<img/src=x/onerror=window.__injected=6>';
  await page.fill('#edit-client textarea[name=redirect_uris]', refused);
  await page.click('#edit-client button[type=submit]');
  await waitForMessage(page, /must be an https URL/);
  assert.ok((await message(page).innerText()).includes(`redirect_uris: ${JSON.stringify(refused)} must be an https URL`));
  assert.equal(await page.locator('#message img').count(), 0);
  assert.equal(await injected(page), undefined);
  assert.deepEqual((await server.context.store.clients.getClient(clientId))?.redirectUris, ['https://app.example/callback', marked]);

  // Edit: one redirect URI left, refresh_token off, consent required, PAR off, the server's ID token
  // algorithm and key age again (sent as null); the rest of the client is untouched.
  await page.fill('#edit-client textarea[name=redirect_uris]', 'https://app.example/callback');
  await page.uncheck('#edit-client input[name=grant_types][value=refresh_token]');
  await page.selectOption('#edit-client select[name=consent]', 'required');
  await page.uncheck('#edit-client input[name=require_pushed_authorization_requests]');
  await page.selectOption('#edit-client select[name=id_token_signed_response_alg]', '');
  await page.fill('#edit-client input[name=key_max_age_days]', '');
  await page.click('#edit-client button[type=submit]');
  await waitForMessage(page, /Settings saved/);
  const edited = await server.context.store.clients.getClient(clientId);
  assert.deepEqual([...edited!.grantTypes].sort(), ['authorization_code', 'client_credentials']);
  assert.deepEqual(edited?.redirectUris, ['https://app.example/callback']);
  assert.deepEqual(edited?.postLogoutRedirectUris, ['https://app.example/bye']);
  assert.equal(edited?.consent, 'required');
  assert.equal(edited?.requirePushedAuthorizationRequests, false);
  assert.equal(edited?.idTokenSignedResponseAlg, undefined);
  assert.equal(edited?.keyMaxAgeDays, undefined);
  assert.equal(edited?.name, 'web app');
  assert.deepEqual(edited?.scopes, ['openid', 'profile']);
  assert.match(await page.locator('#client-facts').innerText(), /the server's keys\.maxAge/);

  // Saving again with nothing changed sends nothing.
  await page.click('#edit-client button[type=submit]');
  await waitForMessage(page, /Nothing changed/);
  assert.equal((await server.context.store.clients.getClient(clientId))?.updatedAt.getTime(), edited?.updatedAt.getTime());
  // The two refusals are the page's own messages (the 400 answers are logged by the browser as failed loads).
  assert.deepEqual(problems.filter((problem) => !/Failed to load resource/.test(problem)), []);
  await page.close();
});

test('the console lists a user\'s consents with client and scopes (as text) and revokes one only after a confirmation; the store and the audit log follow; the user\'s page disables and deletes the user', { skip }, async () => {
  const user = await createUser(createRegistryContext(server.context.store), { actor: 'test', username: 'console-bea' });
  const app = await addTestClient(server);
  const other = await addTestClient(server);
  const now = new Date();
  await server.context.store.authorizations.putConsent({ sub: user.sub, clientId: app.clientId, scopes: ['openid', 'profile'], createdAt: now, updatedAt: now });
  await server.context.store.authorizations.putConsent({ sub: user.sub, clientId: other.clientId, scopes: ['openid', '<img src=x onerror="window.__injected=7">'], createdAt: now, updatedAt: now });

  const { page, problems, dialogs } = await openConsole();
  await signInWithKey(page, adminKey);
  await page.waitForSelector('#clients');
  await page.click('nav a[data-view=users]');
  await page.click('#users a:has-text("console-bea")');
  await page.waitForSelector('#consents');
  assert.match(await page.locator('#user-facts').innerText(), new RegExp(user.sub));
  const row = page.locator(`#consents tr[data-client-id="${app.clientId}"]`);
  assert.match(await row.innerText(), /openid profile/);
  assert.ok((await page.locator(`#consents tr[data-client-id="${other.clientId}"]`).innerText()).includes('<img src=x onerror="window.__injected=7">'));
  assert.equal(await page.locator('#consents img').count(), 0);
  assert.equal(await injected(page), undefined);

  // Dismissed: nothing is revoked.
  dialogs.accept = false;
  await row.locator('button:has-text("Revoke")').click();
  await page.evaluate(() => undefined); // the click's handler has returned
  assert.equal(dialogs.messages.length, 1);
  assert.match(dialogs.messages[0]!, new RegExp(`console-bea gave to ${app.clientId}`));
  assert.notEqual(await server.context.store.authorizations.getConsent(user.sub, app.clientId), undefined);
  assert.equal(await row.count(), 1);

  // Confirmed: the consent is gone from the store and the page; the other one stays.
  dialogs.accept = true;
  await row.locator('button:has-text("Revoke")').click();
  await waitForMessage(page, /Consent revoked/);
  await row.waitFor({ state: 'detached' });
  assert.equal(await server.context.store.authorizations.getConsent(user.sub, app.clientId), undefined);
  assert.notEqual(await server.context.store.authorizations.getConsent(user.sub, other.clientId), undefined);
  assert.equal(await page.locator('#consents tbody tr').count(), 1);
  await flushAudit(server);
  const [event] = await server.context.store.audit.queryAudit({ type: 'consent.revoked', clientId: app.clientId });
  assert.equal(event?.actor, 'keyward-admin');
  assert.equal(event?.details?.sub, user.sub);

  // The user's own page disables, enables and deletes the user, as the list does.
  await page.click('#user-actions button:has-text("Disable")');
  await page.waitForSelector('#user-actions button:has-text("Enable")');
  assert.equal((await server.context.store.users.getUser(user.sub))?.status, 'disabled');
  assert.match(await page.locator('#user-facts').innerText(), /disabled/);
  await page.click('#user-actions button:has-text("Enable")');
  await page.waitForSelector('#user-actions button:has-text("Disable")');
  assert.equal((await server.context.store.users.getUser(user.sub))?.status, 'active');
  await page.click('#user-actions button:has-text("Delete")');
  await page.waitForSelector('#users, p:has-text("No users yet")');
  assert.match(dialogs.messages.at(-1)!, /Delete the user console-bea/);
  assert.equal(await server.context.store.users.getUser(user.sub), undefined);
  assert.equal(await page.locator('#users a:has-text("console-bea")').count(), 0);
  assert.deepEqual(problems, []);
  await page.close();
});
