// X-Request-Id: accepted when it is a plain token (else a new one is made), echoed on the answer, and
// carried by the audit events (the token endpoint's, and the registry's for a change made through the
// admin API) and log lines; the optional access log names it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { resolveConfig } from '../../packages/keyward/src/config/resolve-config.ts';
import { createLogger } from '../../packages/keyward/src/server/logger.ts';
import { startServer } from '../../packages/keyward/src/server/main.ts';
import { readRequestId } from '../../packages/keyward/src/server/middleware/request-id.ts';
import { addTestClient, assertionFor, CLIENT_ASSERTION_TYPE, flushAudit, makeDataDir, readAnswer } from './helpers.ts';

test('readRequestId: a plain token of 1 to 128 characters is kept; anything that could break a log line or an export is not', () => {
  for (const id of ['abc', 'req-1.2_3', 'trace:00f067aa0ba902b7', 'a/b+c=d@e', 'x'.repeat(128)]) assert.equal(readRequestId(id), id);
  for (const id of [undefined, '', 'x'.repeat(129), 'has space', 'line\nbreak', 'quote"', '<script>', 'tab\tid', 'é']) assert.equal(readRequestId(id), undefined, JSON.stringify(id));
});

test('the request id is echoed, put on the token endpoint\'s audit events and log lines, and the access log names it', async () => {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({ write(chunk, _encoding, done) { for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>); done(); } });
  const data = makeDataDir();
  const config = resolveConfig({ overrides: { server: { port: 0 }, storage: { dataDir: data.dir }, clients: { cacheTtl: 0 }, log: { level: 'info', access: true } } });
  const server = await startServer(config, { logger: createLogger(config, sink) });
  try {
    const client = await addTestClient(server, { scopes: ['keyward:admin'] });
    const token = async (requestId?: string, assertion?: string) => readAnswer(await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(requestId === undefined ? {} : { 'x-request-id': requestId }) },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'keyward:admin', client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: assertion ?? (await assertionFor(server, client)) }),
    }));

    const granted = await token('order-4711');
    assert.equal(granted.status, 200, granted.text);
    assert.equal(granted.headers.get('x-request-id'), 'order-4711', 'the caller\'s id is echoed');
    const generated = await token();
    const generatedId = generated.headers.get('x-request-id');
    assert.match(generatedId ?? '', /^[A-Za-z0-9_-]{16}$/, 'one is made when none is given');
    const replaced = await token('two words');
    assert.notEqual(replaced.headers.get('x-request-id'), 'two words', 'an unacceptable id is replaced');

    const refused = await token('bad-sig-1', 'not.a.jwt');
    assert.equal(refused.status, 401, refused.text);
    // A registry change through the admin API, in its own request.
    const created = await readAnswer(await fetch(`${server.url}/admin/v1/clients`, {
      method: 'POST',
      headers: { authorization: `Bearer ${granted.json.access_token as string}`, 'content-type': 'application/json', 'x-request-id': 'change-42' },
      body: JSON.stringify({ client_name: 'made by request', keys: { keys: [client.publicKey.export({ format: 'jwk' })] } }),
    }));
    assert.equal(created.status, 201, created.text);
    assert.equal(created.headers.get('x-request-id'), 'change-42');

    await flushAudit(server);
    const events = await server.context.store.audit.queryAudit({ limit: 100 });
    const byRequest = (id: string) => events.filter((event) => event.requestId === id).map((event) => event.type);
    assert.deepEqual(byRequest('order-4711'), ['token.granted']);
    assert.deepEqual(byRequest(generatedId!), ['token.granted']);
    assert.deepEqual(byRequest('bad-sig-1'), ['token.refused']);
    // The registry's own audit event of the change carries the id of the request that made it.
    const change = events.find((event) => event.type === 'client.created' && event.requestId === 'change-42');
    assert.ok(change, 'client.created carries the admin request\'s id');
    assert.equal(change.sourceAddress, '127.0.0.1');

    const refusedLine = lines.find((line) => line.msg === 'token request refused');
    assert.equal(refusedLine?.request_id, 'bad-sig-1', 'a log line written while serving the request carries its id');
    const access = lines.filter((line) => line.msg === 'request');
    assert.ok(access.some((line) => line.request_id === 'order-4711' && line.method === 'POST' && line.path === '/token' && line.status === 200 && typeof line.ms === 'number'));
    assert.ok(access.some((line) => line.request_id === 'change-42' && line.path === '/admin/v1/clients' && line.status === 201));
    assert.ok(!JSON.stringify(lines).includes(granted.json.access_token as string), 'no token in any log line');
  } finally {
    await server.close();
    data.remove();
  }
});
