// The CLI on a data directory, through spawned `node bin/keyward.mjs` processes: `clients add` with
// PEM, certificate (PEM and DER), JWK and JWKS files, refusals with one clear line, `clients list`,
// `clients show`, `audit`, and `serve` starting, answering and stopping on SIGTERM.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createSelfSignedCertificate } from '../../packages/keyward/src/cli/lib/create-self-signed-certificate.ts';
import { signClientAssertion } from '../../packages/core/src/assertion/sign-client-assertion.ts';
import { CLIENT_ASSERTION_TYPE, makeDataDir, postForm } from './helpers.ts';

const execFileAsync = promisify(execFile);
const data = makeDataDir();
const files = makeDataDir();
const env = { ...process.env, NODE_NO_WARNINGS: '1', KEYWARD_DATA_DIR: data.dir, KEYWARD_LOG_LEVEL: 'silent' };

async function keyward(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, ['bin/keyward.mjs', ...args], { env, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
before(async () => {
  writeFileSync(join(files.dir, 'public_key.pem'), rsa.publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(join(files.dir, 'private_key.pem'), rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const certificate = await createSelfSignedCertificate({ privateKey: ec.privateKey, subject: 'CN=cli-test', days: 30 });
  writeFileSync(join(files.dir, 'certificate.pem'), certificate.pem);
  writeFileSync(join(files.dir, 'certificate.der'), certificate.der);
  const jwk = { ...(generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }) as object), kid: 'ed-1' };
  writeFileSync(join(files.dir, 'key.jwk'), JSON.stringify(jwk));
  const jwks = { keys: [{ ...(ec.publicKey.export({ format: 'jwk' }) as object), kid: 'ec-1', alg: 'ES256' }, { ...(rsa.publicKey.export({ format: 'jwk' }) as object), kid: 'rsa-1' }] };
  writeFileSync(join(files.dir, 'keys.jwks'), JSON.stringify(jwks));
});
after(() => { data.remove(); files.remove(); });

test('clients add accepts PEM, certificate PEM/DER, JWK and JWKS files and prints the client ID', async () => {
  const cases: [string, string, number][] = [['public_key.pem', 'pem-client', 1], ['certificate.pem', 'cert-client', 1], ['certificate.der', 'der-client', 1], ['key.jwk', 'jwk-client', 1], ['keys.jwks', 'jwks-client', 2]];
  const results = await Promise.all(cases.map(([file, name]) => keyward('clients', 'add', '--name', name, '--public-key', join(files.dir, file), '--scope', 'read write', '--scope', 'admin', '--json')));
  results.forEach((result, index) => {
    const [file, name, keyCount] = cases[index]!;
    assert.equal(result.code, 0, `${file}: ${result.stderr}`);
    const client = JSON.parse(result.stdout) as { client_id: string; client_name: string; scope: string; keys: { kid: string }[] };
    assert.match(client.client_id, /^[A-Za-z0-9_-]{22}$/, 'an issued client_id: 128 random bits, base64url');
    assert.equal(client.client_name, name);
    assert.equal(client.scope, 'read write admin');
    assert.equal(client.keys.length, keyCount, file);
  });
  assert.deepEqual((JSON.parse(results[0]!.stdout) as { grant_types: string[] }).grant_types, ['client_credentials'], 'the registry default');
  const bearer = await keyward('clients', 'add', '--name', 'bearer', '--public-key', join(files.dir, 'key.jwk'), '--grant-type', 'client_credentials', '--grant-type', 'urn:ietf:params:oauth:grant-type:jwt-bearer', '--json');
  assert.equal(bearer.code, 0, bearer.stderr);
  assert.deepEqual((JSON.parse(bearer.stdout) as { grant_types: string[] }).grant_types, ['client_credentials', 'urn:ietf:params:oauth:grant-type:jwt-bearer']);
  const unknown = await keyward('clients', 'add', '--name', 'pw', '--public-key', join(files.dir, 'key.jwk'), '--grant-type', 'password');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^keyward: the grant type "password" is not supported/);
  const human = await keyward('clients', 'add', '--name', 'human', '--public-key', join(files.dir, 'public_key.pem'), '--client-id', 'my-app', '--audience-policy', 'legacy', '--scope', 'read');
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /client_id: my-app/);
});

test('clients add refuses a private key, a missing file and a taken client id with one clear line', async () => {
  const privateKey = await keyward('clients', 'add', '--name', 'x', '--public-key', join(files.dir, 'private_key.pem'));
  assert.equal(privateKey.code, 3);
  assert.match(privateKey.stderr, /^keyward: .*private key/);
  assert.equal(privateKey.stderr.trim().split('\n').length, 1);
  const missing = await keyward('clients', 'add', '--name', 'x', '--public-key', join(files.dir, 'nope.pem'));
  assert.equal(missing.code, 3);
  assert.match(missing.stderr, /cannot read/);
  const taken = await keyward('clients', 'add', '--name', 'x', '--public-key', join(files.dir, 'public_key.pem'), '--client-id', 'my-app');
  assert.notEqual(taken.code, 0);
  assert.match(taken.stderr, /already registered/);
  const policy = await keyward('clients', 'add', '--name', 'x', '--public-key', join(files.dir, 'public_key.pem'), '--audience-policy', 'loose');
  assert.equal(policy.code, 2);
});

test('clients list / show, then serve: the registered client gets a token; audit shows it; SIGTERM stops cleanly', async () => {
  const list = await keyward('clients', 'list', '--json');
  assert.equal(list.code, 0, list.stderr);
  assert.ok((JSON.parse(list.stdout) as { client_id: string }[]).some((client) => client.client_id === 'my-app'));
  const show = await keyward('clients', 'show', 'my-app', '--json');
  assert.equal((JSON.parse(show.stdout) as { audience_policy: string }).audience_policy, 'legacy');
  assert.equal((await keyward('clients', 'show', 'nobody')).code, 1);

  const child = spawn(process.execPath, ['bin/keyward.mjs', 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const { url, consoleUrl } = await new Promise<{ url: string; consoleUrl: string | undefined }>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error(`serve did not start: ${text}`)), 20_000);
      child.stderr.on('data', (chunk) => {
        text += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(text);
        if (match && text.includes('keyward clients add --name my-app --public-key public_key.pem')) {
          clearTimeout(timer);
          resolve({ url: match[1]!, consoleUrl: /^ {2}console: +(\S+)/m.exec(text)?.[1] });
        }
      });
    });
    // The banner names the web console, and it answers there.
    assert.equal(consoleUrl, `${url}/console/`);
    const page = await fetch(consoleUrl);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const assertion = await signClientAssertion({ clientId: 'my-app', audience: `${url}/token`, privateKey: rsa.privateKey, alg: 'RS256' });
    const answer = await postForm(`${url}/token`, { grant_type: 'client_credentials', client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: assertion, scope: 'read' });
    assert.equal(answer.status, 200, answer.text);
    const replay = await postForm(`${url}/token`, { grant_type: 'client_credentials', client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: assertion });
    assert.equal(replay.status, 401);
  } finally {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0, 'clean exit on SIGTERM');
  }

  const audit = await keyward('audit', '--client', 'my-app', '--json');
  assert.equal(audit.code, 0, audit.stderr);
  const events = JSON.parse(audit.stdout) as { type: string; reason?: string; key_thumbprint?: string; source_address?: string }[];
  assert.ok(events.some((event) => event.type === 'token.granted' && event.key_thumbprint && event.source_address));
  assert.ok(events.some((event) => event.type === 'token.refused' && event.reason === 'jti_replayed'));
  assert.ok(events.some((event) => event.type === 'client.created'));
  const filtered = await keyward('audit', '--reason', 'jti_replayed', '--since', '1h', '--json');
  assert.ok((JSON.parse(filtered.stdout) as { reason: string }[]).every((event) => event.reason === 'jti_replayed'));
  const human = await keyward('audit', '--limit', '2');
  assert.equal(human.stdout.trim().split('\n').length, 2);
});

test('clients add --jwks-uri registers a client whose keys come from its URL; one of --public-key and --jwks-uri is required', async () => {
  const added = await keyward('clients', 'add', '--name', 'curity-style', '--jwks-uri', 'https://client.example/jwks', '--scope', 'read', '--json');
  assert.equal(added.code, 0, added.stderr);
  const client = JSON.parse(added.stdout) as { jwks_uri?: string; keys: unknown[] };
  assert.equal(client.jwks_uri, 'https://client.example/jwks');
  assert.deepEqual(client.keys, []);
  const human = await keyward('clients', 'add', '--name', 'curity-human', '--jwks-uri', 'https://client.example/jwks');
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /^jwks_uri: +https:\/\/client\.example\/jwks$/m);
  assert.match(human.stdout, /--key '?<private key file>'?/);
  const plain = await keyward('clients', 'add', '--name', 'x', '--jwks-uri', 'http://client.example/jwks');
  assert.equal(plain.code, 2);
  assert.match(plain.stderr, /^keyward: jwks_uri must use https \(got http\); plain http is only accepted for hosts allow-listed in clients\.jwksUriAllowHosts/);
  for (const args of [[], ['--public-key', join(files.dir, 'public_key.pem'), '--jwks-uri', 'https://client.example/jwks']]) {
    const refused = await keyward('clients', 'add', '--name', 'x', ...args);
    assert.equal(refused.code, 2, args.join(' '));
    assert.match(refused.stderr, /--public-key <file>, or the URL of its key set with --jwks-uri <url>/);
  }
});
