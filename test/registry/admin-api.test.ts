/**
 * The registry over real HTTP against a started server: admin API authentication (no token,
 * no admin scope, expired token), the OpenAPI document covering every route, the full client and
 * key lifecycle (create, token, rotate with overlap and retirement at the set time on an injected
 * clock, revoke killing tokens at introspection, disable, delete), audit events, and jwks_uri
 * clients (rotation at the URI picked up on an unknown kid, SSRF refusal).
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportPublicJwk, exportPublicPem } from '../../packages/core/src/keys/export-key.ts';
import { calculateThumbprint } from '../../packages/core/src/keys/thumbprint.ts';
import { createSelfSignedCertificate } from '../../packages/keyward/src/cli/lib/create-self-signed-certificate.ts';
import { buildAdminApp } from '../../packages/keyward/src/server/routes/admin/admin-app.ts';
import { z } from 'zod';
import { ADMIN_REQUEST_BODIES, buildAdminOpenApi, toOpenApiSchema } from '../../packages/keyward/src/server/routes/admin/openapi-document.ts';
import { createUserBody, setPasswordBody, updateUserBody } from '../../packages/keyward/src/server/services/registry/user-wire-schemas.ts';
import {
  addKeysBody, createClientBody, createInitialAccessTokenBody, rotateKeyBody, updateClientBody,
} from '../../packages/keyward/src/server/services/registry/wire-schemas.ts';
import {
  addTestClient, assertionFor, flushAudit, keyPairFor, postForm, readAnswer, requestToken, startTestServer, CLIENT_ASSERTION_TYPE,
  type Answer, type TestClient,
} from '../server/helpers.ts';

let clock = Math.floor(Date.now() / 1000);
let server: Awaited<ReturnType<typeof startTestServer>>;
let admin: TestClient;
let reader: TestClient;

before(async () => {
  server = await startTestServer({ clock: () => clock * 1000, overrides: { clients: { cacheTtl: 0, jwksUriAllowHosts: ['127.0.0.1'] } } });
  admin = await addTestClient(server, { scopes: ['keyward:admin'], clientId: 'admin-client', slot: 0 });
  reader = await addTestClient(server, { scopes: ['read'], clientId: 'reader-client', slot: 0, alg: 'ES384' });
});
after(async () => { await server.stop(); });

async function tokenFor(client: TestClient, scope?: string): Promise<Answer> {
  return requestToken(server, client, scope ? { scope } : {}, await assertionFor(server, client, { now: clock }));
}

async function adminToken(): Promise<string> {
  const answer = await tokenFor(admin, 'keyward:admin');
  assert.equal(answer.status, 200, answer.text);
  return answer.json.access_token as string;
}

async function call(method: string, path: string, body?: unknown, token?: string): Promise<Answer> {
  const response = await fetch(`${server.url}/admin/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token ?? (await adminToken())}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return readAnswer(response);
}

async function introspect(token: string): Promise<boolean> {
  const answer = await postForm(`${server.url}/introspect`, {
    token,
    client_assertion_type: CLIENT_ASSERTION_TYPE,
    client_assertion: await assertionFor(server, admin, { now: clock }),
  });
  assert.equal(answer.status, 200, answer.text);
  return answer.json.active as boolean;
}

test('admin API: no token → 401, a token without keyward:admin → 403 insufficient_scope, an expired admin token → 401', async () => {
  const none = await readAnswer(await fetch(`${server.url}/admin/v1/clients`));
  assert.equal(none.status, 401);
  assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
  const readerToken = (await tokenFor(reader)).json.access_token as string;
  const forbidden = await call('GET', '/clients', undefined, readerToken);
  assert.equal(forbidden.status, 403);
  assert.equal(forbidden.json.error, 'insufficient_scope');
  assert.match(forbidden.headers.get('www-authenticate') ?? '', /error="insufficient_scope"/);
  const token = await adminToken();
  assert.equal((await call('GET', '/clients', undefined, token)).status, 200);
  const saved = clock;
  clock += 400; // past the 300 s access token lifetime
  try {
    const expired = await call('GET', '/clients', undefined, token);
    assert.equal(expired.status, 401);
    assert.equal(expired.json.error, 'invalid_token');
  } finally {
    clock = saved;
  }
  const garbage = await call('GET', '/clients', undefined, 'not-a-token');
  assert.equal(garbage.status, 401);
});

test('admin API: an admin token obtained for another resource is refused (aud must be this server alone)', async () => {
  for (const resources of [['https://orders-api.example'], [server.issuer, 'https://orders-api.example']]) {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: await assertionFor(server, admin, { now: clock }), scope: 'keyward:admin' });
    for (const resource of resources) form.append('resource', resource);
    const granted = await postForm(`${server.url}/token`, form);
    assert.equal(granted.status, 200, granted.text);
    const refused = await call('GET', '/clients', undefined, granted.json.access_token as string);
    assert.equal(refused.status, 401, resources.join(' '));
    assert.equal(refused.json.error, 'invalid_token');
    assert.doesNotMatch(refused.text, /eyJ/, 'the token is never echoed');
  }
});

test('admin API: removing keyward:admin from a client revokes its admin tokens at once', async () => {
  const deputy = await addTestClient(server, { scopes: ['keyward:admin', 'read'], clientId: 'deputy-admin', slot: 3 });
  const granted = await tokenFor(deputy, 'keyward:admin');
  const readOnly = await tokenFor(deputy, 'read');
  const deputyToken = granted.json.access_token as string;
  assert.equal((await call('GET', '/clients', undefined, deputyToken)).status, 200);
  const narrowed = await call('PATCH', '/clients/deputy-admin', { scope: 'read' });
  assert.equal(narrowed.status, 200, narrowed.text);
  const after = await call('GET', '/clients', undefined, deputyToken);
  assert.equal(after.status, 401, after.text);
  assert.equal(after.json.error, 'invalid_token');
  assert.equal(await introspect(deputyToken), false);
  assert.equal(await introspect(readOnly.json.access_token as string), true, 'a token within the remaining scopes stays active');
  await flushAudit(server);
  const events = await call('GET', '/audit?client_id=deputy-admin&type=client.updated');
  const update = (events.json.events as Array<{ details: Record<string, unknown> }>).at(-1);
  assert.deepEqual(update?.details.scopes_removed, ['keyward:admin']);
  assert.equal(update?.details.tokens_revoked, 1);
});

test('the OpenAPI document lists every admin route and nothing else', async () => {
  const answer = await readAnswer(await fetch(`${server.url}/admin/v1/openapi.json`));
  assert.equal(answer.status, 200);
  assert.equal(answer.json.openapi, '3.1.0');
  const documented = new Set<string>();
  for (const [path, operations] of Object.entries(buildAdminOpenApi(server.issuer).paths)) {
    for (const method of Object.keys(operations)) documented.add(`${method.toUpperCase()} ${path}`);
  }
  const routed = new Set<string>();
  for (const route of buildAdminApp(server.context).routes) {
    if (route.method === 'ALL') continue;
    routed.add(`${route.method} ${route.path.replace(':clientId', '{client_id}').replace(':key', '{key}').replace(':user', '{user}').replace(':sub', '{sub}').replace(':id', '{id}')}`);
  }
  assert.deepEqual([...routed].sort(), [...documented].sort());
});

/** The documented request body of each operation, resolved from its $ref. */
function documentedBodies(document: Record<string, unknown>): Map<string, { method: string; path: string; schema: Record<string, unknown> }> {
  const paths = document.paths as Record<string, Record<string, { operationId: string; requestBody?: { content: Record<string, { schema: { $ref: string } }> } }>>;
  const schemas = (document.components as { schemas: Record<string, Record<string, unknown>> }).schemas;
  const found = new Map<string, { method: string; path: string; schema: Record<string, unknown> }>();
  for (const [path, operations] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const ref = operation.requestBody?.content['application/json']?.schema.$ref;
      if (ref === undefined) continue;
      const schema = schemas[ref.replace('#/components/schemas/', '')];
      assert.ok(schema, `${operation.operationId}: ${ref} resolves`);
      found.set(operation.operationId, { method: method.toUpperCase(), path, schema });
    }
  }
  return found;
}

test('OpenAPI: every request body in the served document is the JSON Schema generated from the zod schema its route validates with', async () => {
  const served = (await readAnswer(await fetch(`${server.url}/admin/v1/openapi.json`))).json;
  // Every reference in the document resolves, and no schema carries its own dialect (OpenAPI 3.1
  // schema objects use the document's).
  const text = JSON.stringify(served);
  const schemaNames = Object.keys((served.components as { schemas: object }).schemas);
  for (const [, name] of text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) assert.ok(schemaNames.includes(name!), `$ref ${name} resolves`);
  assert.doesNotMatch(text, /"\$schema"/);
  const bodies = documentedBodies(served);
  // The zod schema each route reads its body with (client-routes.ts, key-routes.ts, token-and-audit-routes.ts).
  const validatedWith: Record<string, z.ZodType> = {
    createClient: createClientBody, updateClient: updateClientBody, addKeys: addKeysBody, rotateKey: rotateKeyBody,
    createInitialAccessToken: createInitialAccessTokenBody,
    createUser: createUserBody, updateUser: updateUserBody, setUserPassword: setPasswordBody,
  };
  assert.deepEqual([...bodies.keys()].sort(), Object.keys(validatedWith).sort(), 'the operations that take a body');
  for (const [operationId, { schema }] of bodies) {
    assert.deepEqual(schema, JSON.parse(JSON.stringify(toOpenApiSchema(validatedWith[operationId]!))), `${operationId}: documented body = generated body`);
    assert.equal(schema.additionalProperties, false, `${operationId}: unknown fields are refused, and documented so`);
  }
  // The field rules of the registry are documented from their own constants.
  const create = bodies.get('createClient')!.schema as { properties: Record<string, Record<string, unknown>>; required: string[] };
  assert.equal(create.properties.client_id!.pattern, '^[A-Za-z0-9][A-Za-z0-9._~-]{2,127}$');
  assert.deepEqual((create.properties.grant_types!.items as { enum: string[] }).enum, ['client_credentials', 'urn:ietf:params:oauth:grant-type:jwt-bearer', 'authorization_code', 'refresh_token']);
  assert.deepEqual(create.required, ['client_name']);

  // Over HTTP, each route accepts exactly the documented fields: an undocumented one is refused as
  // unknown, and a documented one with a wrong type is refused naming that field (so it is known).
  const created = await call('POST', '/clients', { client_name: 'Schema probe' });
  assert.equal(created.status, 201, created.text);
  const probeId = created.json.client_id as string;
  const user = await call('POST', '/users', { username: 'schema-probe' });
  assert.equal(user.status, 201, user.text);
  for (const [operationId, { method, path, schema }] of bodies) {
    const url = path.replace('{client_id}', probeId).replace('{user}', 'schema-probe');
    const unknown = await call(method, url, { not_a_documented_field: 'x' });
    assert.equal(unknown.status, 400, `${operationId}: ${unknown.text}`);
    assert.match(unknown.json.error_description as string, /not_a_documented_field/, `${operationId} refuses an undocumented field`);
    for (const [field, fieldSchema] of Object.entries(schema.properties as Record<string, { type?: unknown }>)) {
      // A value of the wrong type for the documented one.
      const wrong = await call(method, url, { [field]: fieldSchema.type === 'boolean' ? 'not a boolean' : true });
      assert.equal(wrong.status, 400, `${operationId} ${field}: ${wrong.text}`);
      assert.match(wrong.json.error_description as string, new RegExp(`(^|; )${field}: `), `${operationId} knows the documented field ${field}: ${wrong.text}`);
    }
  }
});

test('OpenAPI: a field added to a zod body schema appears in the generated document', () => {
  const before = buildAdminOpenApi(server.issuer);
  assert.equal((before.components.schemas.CreateClient as { properties: Record<string, unknown> }).properties.software_version, undefined);
  const extended = { ...ADMIN_REQUEST_BODIES, CreateClient: createClientBody.extend({ software_version: z.string().max(40) }) };
  const after = buildAdminOpenApi(server.issuer, extended);
  const properties = (after.components.schemas.CreateClient as { properties: Record<string, unknown> }).properties;
  assert.deepEqual(properties.software_version, { type: 'string', maxLength: 40 });
  assert.deepEqual(Object.keys(properties).slice(0, -1), Object.keys((before.components.schemas.CreateClient as { properties: Record<string, unknown> }).properties));
});

test('full lifecycle over HTTP: create with a PEM key, token, rotate with overlap, retirement at the set time, revoke kills tokens at introspection, disable, delete, audit', async () => {
  const first = keyPairFor('ES256', 11);
  const second = keyPairFor('ES256', 12);
  const created = await call('POST', '/clients', { client_name: 'Billing', contact: 'it@example.com', scope: 'read write', keys: exportPublicPem(first.publicKey) });
  assert.equal(created.status, 201, created.text);
  const clientId = created.json.client_id as string;
  assert.match(clientId, /^[A-Za-z0-9_-]{22}$/);
  const keys = created.json.keys as Array<Record<string, unknown>>;
  assert.equal(keys[0]?.state, 'active');
  assert.equal(keys[0]?.crv, 'P-256');
  const thumbprint1 = calculateThumbprint(first.publicKey);
  assert.equal(keys[0]?.thumbprint, thumbprint1);
  const c1: TestClient = { clientId, privateKey: first.privateKey, publicKey: first.publicKey, kid: keys[0]!.kid as string, thumbprint: thumbprint1, alg: 'ES256' };
  assert.equal((await tokenFor(c1)).status, 200);

  // A duplicate key and a private key are refused with what to fix.
  const dup = await call('POST', `/clients/${clientId}/keys`, { keys: exportPublicPem(first.publicKey) });
  assert.equal(dup.status, 409);
  const priv = await call('POST', `/clients/${clientId}/keys`, { keys: first.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() });
  assert.equal(priv.status, 400);
  assert.match(priv.json.error_description as string, /private key: register the public key only/);
  const unknownField = await call('POST', '/clients', { client_name: 'x', colour: 'blue' });
  assert.equal(unknownField.status, 400);

  // Rotate: the new key is added, the old one retires in 600 s; both work until then.
  const rotated = await call('POST', `/clients/${clientId}/keys/rotate`, { keys: exportPublicJwk(second.publicKey, { kid: 'second' }), overlap_seconds: 600 });
  assert.equal(rotated.status, 201, rotated.text);
  assert.equal((rotated.json.retiring as Array<Record<string, unknown>>)[0]?.state, 'retiring');
  const c2: TestClient = { ...c1, privateKey: second.privateKey, publicKey: second.publicKey, kid: 'second', thumbprint: calculateThumbprint(second.publicKey) };
  assert.equal((await tokenFor(c1)).status, 200, 'the old key works during the overlap');
  assert.equal((await tokenFor(c2)).status, 200);
  clock += 601;
  const retired = await tokenFor(c1);
  assert.equal(retired.status, 401);
  assert.equal(retired.json.error, 'invalid_client');
  await flushAudit(server);
  const refusals = await call('GET', `/audit?client_id=${clientId}&reason=key_retired`);
  assert.ok((refusals.json.events as unknown[]).length >= 1, 'the retired key is refused with its own reason code');

  // Revoke the new key: its access token stops passing introspection at once.
  const live = (await tokenFor(c2)).json.access_token as string;
  assert.equal(await introspect(live), true);
  const revoked = await call('POST', `/clients/${clientId}/keys/second/revoke`);
  assert.equal(revoked.status, 200, revoked.text);
  assert.equal(revoked.json.state, 'revoked');
  assert.equal(await introspect(live), false);
  const afterRevoke = await tokenFor(c2);
  assert.equal(afterRevoke.status, 401);

  // Disable takes effect at once; enable restores; delete removes.
  const third = keyPairFor('ES256', 13);
  await call('POST', `/clients/${clientId}/keys`, { keys: exportPublicJwk(third.publicKey, { kid: 'third' }) });
  const c3: TestClient = { ...c1, privateKey: third.privateKey, publicKey: third.publicKey, kid: 'third', thumbprint: calculateThumbprint(third.publicKey) };
  const beforeDisable = (await tokenFor(c3)).json.access_token as string;
  assert.equal((await call('POST', `/clients/${clientId}/disable`)).json.state, 'disabled');
  assert.equal((await tokenFor(c3)).status, 401);
  assert.equal(await introspect(beforeDisable), false, 'a disabled client\'s tokens are inactive');
  await call('POST', `/clients/${clientId}/enable`);
  assert.equal((await tokenFor(c3)).status, 200);
  const patched = await call('PATCH', `/clients/${clientId}`, { client_name: 'Billing v2', contact: null });
  assert.equal(patched.json.client_name, 'Billing v2');
  assert.equal(patched.json.contact, undefined);
  const listed = await call('GET', `/clients/${clientId}/keys`);
  assert.deepEqual((listed.json.keys as Array<Record<string, unknown>>).map((k) => `${String(k.kid)}:${String(k.state)}`).sort(), [`${c1.kid}:retiring`, 'second:revoked', 'third:active'].sort());

  const audit = await call('GET', `/audit?client_id=${clientId}&limit=1000`);
  const types = new Set((audit.json.events as Array<{ type: string; actor?: string }>).map((e) => e.type));
  for (const type of ['client.created', 'key.added', 'key.retiring', 'key.revoked', 'client.disabled', 'client.enabled', 'client.updated']) assert.ok(types.has(type), type);
  const update = (audit.json.events as Array<{ type: string; actor?: string; details?: { before?: { client_name?: string } } }>).find((e) => e.type === 'client.updated');
  assert.equal(update?.actor, 'admin-client');
  assert.equal(update?.details?.before?.client_name, 'Billing');

  assert.equal((await call('DELETE', `/clients/${clientId}`)).status, 200);
  assert.equal((await call('GET', `/clients/${clientId}`)).status, 404);
  assert.equal((await tokenFor(c3)).status, 401);
});

test('jwks_uri client: keys rotated at the URI are picked up on an unknown kid without a restart; an SSRF target is refused', async () => {
  const a = keyPairFor('ES256', 21);
  const b = keyPairFor('ES256', 22);
  let served = [exportPublicJwk(a.publicKey, { kid: 'key-a' })];
  let hits = 0;
  let failing = false;
  const jwksServer = createServer((_req, res) => { hits += 1; if (failing) { res.writeHead(500).end(); return; } res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=3600' }).end(JSON.stringify({ keys: served })); });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  try {
    const uri = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`;
    const created = await call('POST', '/clients', { client_name: 'Curity-style client', jwks_uri: uri, scope: 'read' });
    assert.equal(created.status, 201, created.text);
    const clientId = created.json.client_id as string;
    const ca: TestClient = { clientId, privateKey: a.privateKey, publicKey: a.publicKey, kid: 'key-a', thumbprint: calculateThumbprint(a.publicKey), alg: 'ES256' };
    assert.equal((await tokenFor(ca)).status, 200);
    assert.equal((await tokenFor(ca)).status, 200);
    assert.equal(hits, 1, 'the key set is cached');
    served = [exportPublicJwk(b.publicKey, { kid: 'key-b' })];
    const cb: TestClient = { ...ca, privateKey: b.privateKey, publicKey: b.publicKey, kid: 'key-b', thumbprint: calculateThumbprint(b.publicKey) };
    clock += 1; // an unknown kid refetches at most once a second per URI (this clock is injected)
    assert.equal((await tokenFor(cb)).status, 200, 'the rotated key is picked up on its unknown kid');
    assert.equal(hits, 2);
    // The URI fails after the cache expired: the last good set is kept, and the failure is audited.
    failing = true;
    clock += 3601;
    assert.equal((await tokenFor(cb)).status, 200, 'the last good key set is kept when a fetch fails');
    assert.equal(hits, 3);
    await flushAudit(server);
    const failures = await call('GET', `/audit?client_id=${clientId}&type=jwks_uri.fetch_failed`);
    assert.equal((failures.json.events as unknown[]).length, 1);
    failing = false;
    const keysAdd = await call('POST', `/clients/${clientId}/keys`, { keys: exportPublicPem(a.publicKey) });
    assert.equal(keysAdd.status, 400, 'a jwks_uri client takes no registered keys');

    // http to a host that is not allow-listed is refused at registration; an https metadata address at fetch time.
    assert.equal((await call('POST', '/clients', { client_name: 'x', jwks_uri: 'http://10.0.0.1/jwks' })).status, 400);
    const ssrf = await call('POST', '/clients', { client_name: 'ssrf', jwks_uri: 'https://169.254.169.254/latest/meta-data/jwks' });
    assert.equal(ssrf.status, 201);
    const cs: TestClient = { ...ca, clientId: ssrf.json.client_id as string };
    const refused = await tokenFor(cs);
    assert.equal(refused.status, 401);
    await flushAudit(server);
    const audit = await call('GET', `/audit?client_id=${cs.clientId}&reason=jwks_fetch_failed`);
    assert.ok((audit.json.events as unknown[]).length >= 1);
  } finally {
    jwksServer.closeAllConnections();
    await new Promise<void>((resolve) => jwksServer.close(() => resolve()));
  }
});

test('bad input to the admin API and the registration endpoint never answers 500', async () => {
  const token = await adminToken();
  const raw = async (method: string, path: string, body: string, type = 'application/json') => readAnswer(await fetch(`${server.url}${path}`, {
    method, headers: { authorization: `Bearer ${token}`, 'content-type': type }, body,
  }));
  const cases: Array<[string, string, string, string?]> = [
    ['POST', '/admin/v1/clients', '{not json'],
    ['POST', '/admin/v1/clients', '[]'],
    ['POST', '/admin/v1/clients', JSON.stringify({ client_name: 'x', keys: 42 })],
    ['POST', '/admin/v1/clients', JSON.stringify({ client_name: 'x', keys: 'not a key' })],
    ['POST', '/admin/v1/clients', JSON.stringify({ client_name: 'x', keys: { kty: 'RSA' } })],
    ['POST', '/admin/v1/clients', JSON.stringify({ client_name: '', access_token_ttl: -1 })],
    ['POST', '/admin/v1/clients', 'client_name=x', 'application/x-www-form-urlencoded'],
    ['POST', '/admin/v1/clients', JSON.stringify({ client_name: 'x'.repeat(100), description: 'y'.repeat(200_000) })],
    ['PATCH', '/admin/v1/clients/nobody', JSON.stringify({ client_name: 'x' })],
    ['POST', '/admin/v1/clients/nobody/keys/abc/revoke', ''],
    ['POST', '/admin/v1/clients/reader-client/keys/unknown-kid/revoke', ''],
    ['POST', '/admin/v1/clients/reader-client/keys/rotate', JSON.stringify({ keys: 'x', overlap_seconds: 1e12 })],
    ['GET', '/admin/v1/audit?since=yesterday-ish', ''],
    ['POST', '/register', '{"jwks":', 'application/json'],
    ['POST', '/register', '"just a string"', 'application/json'],
    ['PUT', '/register/reader-client', '{}', 'application/json'],
  ];
  for (const [method, path, body, type] of cases) {
    const answer = await raw(method, path, method === 'GET' ? undefined as unknown as string : body, type);
    assert.ok(answer.status >= 400 && answer.status < 500, `${method} ${path} ${body.slice(0, 40)} → ${answer.status} ${answer.text.slice(0, 200)}`);
    assert.equal(typeof answer.json.error, 'string');
  }
});

test('audit: since and until take the CLI\'s relative times (1h, 2d); pages of limit events follow next_before to the end', async () => {
  for (let i = 0; i < 3; i += 1) await tokenFor(reader);
  // One admin token for the whole test: each new one would add a token.granted event between pages.
  const token = await adminToken();
  await flushAudit(server);
  const get = (path: string) => call('GET', path, undefined, token);
  const all = await get('/audit?type=token.granted&since=2d&limit=10000');
  assert.equal(all.status, 200, all.text);
  const ids = (all.json.events as Array<{ id: number }>).map((e) => e.id);
  assert.ok(ids.length >= 4, 'several granted tokens');
  assert.equal(all.json.next_before, undefined, 'the last page has no next_before');
  const paged: number[] = [];
  let before: number | undefined;
  for (let pages = 0; pages < 100; pages += 1) {
    const page = await get(`/audit?type=token.granted&since=2d&limit=2${before === undefined ? '' : `&before=${before}`}`);
    assert.equal(page.status, 200, page.text);
    paged.push(...(page.json.events as Array<{ id: number }>).map((e) => e.id));
    if (page.json.next_before === undefined) break;
    before = page.json.next_before as number;
  }
  assert.deepEqual(paged, ids, 'the pages are the whole answer, in order, once');
  assert.deepEqual((await get('/audit?type=token.granted&until=3d')).json.events, [], 'nothing older than three days');
  for (const query of ['since=yesterday-ish', 'until=7x', 'before=0', 'limit=0', 'limit=10001', 'since=1h&until=2h']) {
    const bad = await get(`/audit?${query}`);
    assert.equal(bad.status, 400, `${query}: ${bad.text}`);
    assert.match(String(bad.json.error_description), /since|until|before|limit/);
  }
});

test('a key uploaded as a certificate keeps its validity: refused as key_expired after notAfter', async () => {
  const pair = keyPairFor('ES256', 51);
  const cert = await createSelfSignedCertificate({ privateKey: pair.privateKey, subject: 'CN=cert-client', days: 1, now: new Date(clock * 1000 - 60_000) });
  const created = await call('POST', '/clients', { client_name: 'cert client', keys: cert.pem });
  assert.equal(created.status, 201, created.text);
  const key = (created.json.keys as Array<Record<string, unknown>>)[0]!;
  assert.equal(key.certificate_subject, 'CN=cert-client');
  assert.ok(typeof key.not_after === 'string');
  const client: TestClient = { clientId: created.json.client_id as string, privateKey: pair.privateKey, publicKey: pair.publicKey, kid: key.kid as string, thumbprint: key.thumbprint as string, alg: 'ES256' };
  assert.equal((await tokenFor(client)).status, 200);
  const saved = clock;
  clock += 2 * 86400;
  try {
    assert.equal((await tokenFor(client)).status, 401);
    await flushAudit(server);
    const audit = await call('GET', `/audit?client_id=${client.clientId}&reason=key_expired`);
    assert.equal((audit.json.events as unknown[]).length, 1);
  } finally {
    clock = saved;
  }
});
