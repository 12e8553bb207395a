/**
 * keygen, pubkey, assertion, inspect, doctor and --help, driven as a user would: spawned
 * `node bin/keyward.mjs` processes, real files in a temporary directory, real openssl.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { makeTempDir, runKeyward, runShell } from './run-cli.ts';
import { CommanderError } from 'commander';
import { buildProgram } from '../../packages/keyward/src/cli/build-program.ts';
import { calculateThumbprint, exportJwks, importPublicKey, toRegisteredKey } from '../../packages/core/src/keys/index.ts';
import { parseDirectToken, signClientAssertion, verifyDirectToken } from '../../packages/core/src/assertion/index.ts';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const temp = makeTempDir('keys');
after(() => temp.remove());
const dir = temp.dir;

/** Writes <prefix>-private.pem (PKCS#8, 0600) and <prefix>-public.pem in-process (faster than a keygen process). */
function writeKeyPair(prefix: string): { privatePem: string; publicPem: string } {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privatePem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  writeFileSync(`${prefix}-private.pem`, privatePem, { mode: 0o600 });
  writeFileSync(`${prefix}-public.pem`, publicPem);
  return { privatePem, publicPem };
}

test('every key-holder command has --help with an example and its exit codes; --help exits 0', async () => {
  const commands = ['keygen', 'pubkey', 'assertion', 'token', 'call', 'inspect', 'doctor'];
  // In-process for the text (one CLI start instead of seven), one spawned process for the exit code.
  for (const command of commands) {
    const program = buildProgram();
    let text = '';
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array) => { text += String(chunk); return true; }) as typeof process.stdout.write;
    try {
      await assert.rejects(program.parseAsync(['node', 'keyward', command, '--help']), (error: unknown) => error instanceof CommanderError && error.code === 'commander.helpDisplayed');
    } finally {
      process.stdout.write = write;
    }
    assert.match(text, /Example/, `${command} --help shows an example`);
    assert.match(text, /Exit codes/, `${command} --help documents its exit codes`);
  }
  const spawned = await runKeyward(['doctor', '--help']);
  assert.equal(spawned.code, 0);
  assert.match(spawned.stdout, /Example/);
});

test('keygen: private key 0600, public PEM, JWK and JWKS with the thumbprint kid; --json shape; refuses to overwrite without --force', async () => {
  const out = join(dir, 'shop');
  const result = await runKeyward(['keygen', '--out', out, '--json']);
  assert.equal(result.code, 0, result.stderr);
  const data = JSON.parse(result.stdout) as { kid: string; kty: string; alg: string; files: Record<string, string>; public_jwk: Record<string, unknown> };
  assert.equal(data.kty, 'RSA');
  assert.equal(data.alg, 'RS256');
  assert.equal(statSync(`${out}-private.pem`).mode & 0o777, 0o600);
  assert.match(readFileSync(`${out}-public.pem`, 'utf8'), /^-----BEGIN PUBLIC KEY-----/);
  const jwk = JSON.parse(readFileSync(`${out}-public.jwk.json`, 'utf8')) as Record<string, unknown>;
  assert.equal(jwk.kid, calculateThumbprint(createPublicKey(readFileSync(`${out}-public.pem`, 'utf8'))));
  assert.equal(data.kid, jwk.kid);
  assert.equal(jwk.d, undefined, 'the JWK has no private member');
  const jwks = JSON.parse(readFileSync(`${out}-jwks.json`, 'utf8')) as { keys: unknown[] };
  assert.deepEqual(jwks.keys, [jwk]);
  const before = readFileSync(`${out}-private.pem`, 'utf8');
  const again = await runKeyward(['keygen', '--out', out]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already exist.*--force/);
  assert.equal(readFileSync(`${out}-private.pem`, 'utf8'), before, 'nothing was overwritten');
  const forced = await runKeyward(['keygen', '--out', out, '--force', '--type', 'ec']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.notEqual(readFileSync(`${out}-private.pem`, 'utf8'), before);
  assert.equal(statSync(`${out}-private.pem`).mode & 0o777, 0o600);
});

test('keygen --encrypt with the passphrase from an environment variable; pubkey opens it with the same variable', async () => {
  const out = join(dir, 'enc');
  const env = { KEY_PASS: 'correct horse battery' };
  const result = await runKeyward(['keygen', '--type', 'ed25519', '--encrypt', '--passphrase-env', 'KEY_PASS', '--out', out], { env });
  assert.equal(result.code, 0, result.stderr);
  assert.match(readFileSync(`${out}-private.pem`, 'utf8'), /BEGIN ENCRYPTED PRIVATE KEY/);
  const pub = await runKeyward(['pubkey', `${out}-private.pem`, '--passphrase-env', 'KEY_PASS', '--format', 'jwk'], { env });
  assert.equal(pub.code, 0, pub.stderr);
  assert.equal((JSON.parse(pub.stdout) as { crv: string }).crv, 'Ed25519');
  const noTty = await runKeyward(['pubkey', `${out}-private.pem`]);
  assert.equal(noTty.code, 3);
  assert.match(noTty.stderr, /--passphrase-env NAME or --passphrase-file PATH/);
  const wrong = await runKeyward(['pubkey', `${out}-private.pem`, '--passphrase-env', 'KEY_PASS'], { env: { KEY_PASS: 'wrong' } });
  assert.equal(wrong.code, 3);
  assert.match(wrong.stderr, /passphrase does not open/);
});

test('keygen --cert writes a self-signed certificate that openssl reads', async () => {
  const out = join(dir, 'wso2');
  const result = await runKeyward(['keygen', '--cert', '--days', '30', '--subject', 'CN=orders-service', '--out', out]);
  assert.equal(result.code, 0, result.stderr);
  const text = await runShell(`openssl x509 -in '${out}-cert.pem' -noout -subject`);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /CN\s*=\s*orders-service/);
});

test('pubkey reads `openssl genrsa -des3` output (encrypted PKCS#8 and legacy -traditional) with --passphrase-file', async () => {
  writeFileSync(join(dir, 'pass.txt'), 's3cret-pass\n');
  const made = await runShell('openssl genrsa -des3 -passout file:pass.txt -out des3.pem 2048 && openssl genrsa -traditional -des3 -passout file:pass.txt -out legacy.pem 2048 && openssl rsa -in legacy.pem -passin file:pass.txt -pubout -out legacy-public.pem', { cwd: dir });
  assert.equal(made.code, 0, made.stderr);
  assert.match(readFileSync(join(dir, 'legacy.pem'), 'utf8'), /Proc-Type: 4,ENCRYPTED/);
  const [pkcs8, legacy] = await Promise.all([
    runKeyward(['pubkey', 'des3.pem', '--passphrase-file', 'pass.txt'], { cwd: dir }),
    runKeyward(['pubkey', 'legacy.pem', '--passphrase-file', 'pass.txt'], { cwd: dir }),
  ]);
  assert.equal(pkcs8.code, 0, pkcs8.stderr);
  assert.match(pkcs8.stdout, /^-----BEGIN PUBLIC KEY-----/);
  assert.equal(legacy.code, 0, legacy.stderr);
  assert.equal(legacy.stdout, readFileSync(join(dir, 'legacy-public.pem'), 'utf8'), 'the same public key as openssl derives');
});

test('assertion: a one-line JWT with iss = sub = client ID, aud, jti, exp; --direct signs { clientcode, iat, exp }', async () => {
  const key = join(dir, 'sig');
  writeKeyPair(key);
  const [plain, json, direct] = await Promise.all([
    runKeyward(['assertion', '--client-id', 'c1', '--key', `${key}-private.pem`, '--aud', 'https://as.example', '--kid', 'k1', '--claim', 'scope=read']),
    runKeyward(['assertion', '--client-id', 'c1', '--key', `${key}-private.pem`, '--aud', 'https://as.example', '--json']),
    runKeyward(['assertion', '--direct', '--client-id', 'client_12345', '--key', `${key}-private.pem`, '--lifetime', '3600', '--json']),
  ]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stdout, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'one line, no trailing newline when piped');
  const [h, p, s] = plain.stdout.split('.') as [string, string, string];
  const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>;
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
  assert.deepEqual(header, { alg: 'RS256', typ: 'JWT', kid: 'k1' });
  assert.equal(claims.iss, 'c1');
  assert.equal(claims.sub, 'c1');
  assert.equal(claims.aud, 'https://as.example');
  assert.equal(claims.scope, 'read');
  assert.equal((claims.exp as number) - (claims.iat as number), 60);
  assert.ok(verify('sha256', Buffer.from(`${h}.${p}`), createPublicKey(readFileSync(`${key}-public.pem`, 'utf8')), Buffer.from(s, 'base64url')));
  const parsed = JSON.parse(json.stdout) as { client_assertion: string; claims: { jti: string } };
  assert.match(parsed.client_assertion, /^eyJ/);
  assert.equal(typeof parsed.claims.jti, 'string');
  const d = JSON.parse(direct.stdout) as { token: string; claims: Record<string, unknown> };
  assert.deepEqual(Object.keys(d.claims).sort(), ['clientcode', 'exp', 'iat']);
  assert.equal(d.claims.clientcode, 'client_12345');
  const usage = await runKeyward(['assertion', '--client-id', 'c1', '--key', `${key}-private.pem`]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--issuer.*--aud/);
});

test('inspect: header, claims, times as dates and ages, kid vs key thumbprint; --json shape', async () => {
  const key = join(dir, 'insp');
  const { privatePem, publicPem } = writeKeyPair(key);
  const kid = calculateThumbprint(createPublicKey(publicPem));
  const token = await signClientAssertion({ clientId: 'c1', audience: 'https://as.example', privateKey: privatePem, kid });
  const [human, json] = await Promise.all([
    runKeyward(['inspect', token, '--key', `${key}-public.pem`]),
    runKeyward(['inspect', '-', '--json', '--key', `${key}-private.pem`], { input: `${token}\n` }),
  ]);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /exp: \d+ = \d{4}-\d\d-\d\dT.*\(in (\d+ s|1 min)\)/);
  assert.match(human.stdout, /matches the kid/);
  assert.match(human.stdout, /NOT verified/);
  const data = JSON.parse(json.stdout) as Record<string, unknown> & { times: Record<string, { date: string }> };
  assert.equal(data.kid, kid);
  assert.equal(data.key_thumbprint, kid);
  assert.equal(data.kid_matches_key, true);
  assert.equal(data.signature_verified, false);
  assert.match(data.times.iat?.date ?? '', /^\d{4}-/);
});

test('doctor on the openssl recipe of the WSO2 document: `base64 -e` line breaks are refused with the fix; the -A recipe passes', async () => {
  const key = join(dir, 'wso2doc');
  writeKeyPair(key);
  // The recipe of source document 002, verbatim except file names (long claims make the payload wrap).
  const recipe = (flag: string) => `
cat <<EOF > payload.json
{
"iss": "YOUR_CLIENT_ID",
"sub": "YOUR_CLIENT_ID",
"aud": "https://localhost:9443/oauth2/token",
"exp": $(($(date +%s) + 300)),
"iat": $(date +%s),
"jti": "$(cat /proc/sys/kernel/random/uuid)"
}
EOF
echo -n '{"alg":"RS256","typ":"JWT"}' | openssl base64 ${flag} | tr -d '=' | tr '/+' '_-' > header_base64.txt
openssl base64 -in payload.json ${flag} | tr -d '=' | tr '/+' '_-' > payload_base64.txt
echo -n "$(cat header_base64.txt).$(cat payload_base64.txt)" > signing_input.txt
openssl dgst -sha256 -sign '${key}-private.pem' -out signature.bin signing_input.txt
openssl base64 -in signature.bin ${flag} | tr -d '=' | tr '/+' '_-' > signature_base64.txt
echo -n "$(cat header_base64.txt).$(cat payload_base64.txt).$(cat signature_base64.txt)" > jwt_assertion.txt`;
  assert.equal((await runShell(recipe('-e'), { cwd: dir })).code, 0);
  const broken = await runKeyward(['doctor', '@jwt_assertion.txt', '--key', `${key}-public.pem`, '--aud', 'https://localhost:9443/oauth2/token', '--audience-policy', 'legacy'], { cwd: dir });
  assert.equal(broken.code, 1, broken.stdout);
  assert.match(broken.stdout, /FAIL {2}the JWT contains line breaks/);
  assert.match(broken.stdout, /openssl base64 -A/);
  // The recipe signed the header and payload WITH their line breaks: the doctor says so.
  assert.match(broken.stdout, /FAIL {2}the signature was computed over the header and payload WITH their line breaks/);
  assert.equal((await runShell(recipe('-A'), { cwd: dir })).code, 0);
  const fixed = await runKeyward(['doctor', '@jwt_assertion.txt', '--key', `${key}-public.pem`, '--aud', 'https://localhost:9443/oauth2/token', '--json'], { cwd: dir });
  const report = JSON.parse(fixed.stdout) as { ok: boolean; checks: Array<{ id: string; status: string }> };
  assert.equal(report.checks.find((c) => c.id === 'format.line_breaks')?.status, 'pass');
  assert.equal(report.checks.find((c) => c.id === 'signature.verify')?.status, 'pass');
  // No --client-id was given, so the placeholder iss "YOUR_CLIENT_ID" is fine; the verifier accepts the token.
  assert.equal(report.ok, true, fixed.stdout);
  assert.equal(fixed.code, 0);
});

test('doctor: a private key given where the registered public key was expected', async () => {
  const key = join(dir, 'docpriv');
  const { privatePem } = writeKeyPair(key);
  const token = await signClientAssertion({ clientId: 'c1', audience: 'https://as.example', privateKey: privatePem });
  const result = await runKeyward(['doctor', token, '--key', `${key}-private.pem`, '--aud', 'https://as.example', '--json']);
  assert.equal(result.code, 1);
  const report = JSON.parse(result.stdout) as { checks: Array<{ id: string; status: string; reason?: string }> };
  assert.equal(report.checks.find((c) => c.id === 'key.kind')?.reason, 'key_is_private');
  assert.equal(report.checks.find((c) => c.id === 'signature.verify')?.status, 'pass', 'the public half is still used for the other checks');
  assert.doesNotMatch(result.stdout, /PRIVATE KEY-----/, 'the key is never printed');
  // The same token against a JWKS file holding another key and the right one: the signature verifies.
  writeFileSync(`${key}-jwks.json`, JSON.stringify(exportJwks([generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey, createPublicKey(privatePem)])));
  const withJwks = await runKeyward(['doctor', token, '--jwks', `${key}-jwks.json`, '--aud', 'https://as.example', '--json']);
  const jwksReport = JSON.parse(withJwks.stdout) as { ok: boolean; checks: Array<{ id: string; status: string }> };
  assert.equal(jwksReport.ok, true, withJwks.stdout);
  assert.equal(withJwks.code, 0);
});

test('token: an unreachable server exits 4 with one line naming the problem', async () => {
  const key = join(dir, 'unreach');
  writeKeyPair(key);
  const result = await runKeyward(['token', '--issuer', 'http://127.0.0.1:9', '--client-id', 'c1', '--key', `${key}-private.pem`]);
  assert.equal(result.code, 4, result.stderr);
  assert.match(result.stderr, /^keyward: cannot reach http:\/\/127\.0\.0\.1:9\/\.well-known\/oauth-authorization-server/);
});

test('call: curl-like -X, -H, -d @file send the request with a fresh direct token as Bearer; the body goes to standard output', async () => {
  const key = join(dir, 'caller');
  const { publicPem } = writeKeyPair(key);
  writeFileSync(join(dir, 'order.json'), '{"item":42}');
  const seen: Array<{ method?: string; authorization?: string; test?: string | string[]; contentType?: string; body: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
    req.on('end', () => {
      seen.push({ method: req.method, authorization: req.headers.authorization, test: req.headers['x-test'], contentType: req.headers['content-type'], body });
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end('{"created":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders`;
    const result = await runKeyward(['call', url, '--direct', '--client-id', 'client_12345', '--key', `${key}-private.pem`, '-X', 'PUT', '-H', 'X-Test: yes', '-H', 'Content-Type: application/json', '-d', '@order.json'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '{"created":true}\n');
    const request = seen[0];
    assert.equal(request?.method, 'PUT');
    assert.equal(request?.test, 'yes');
    assert.equal(request?.contentType, 'application/json');
    assert.equal(request?.body, '{"item":42}');
    const token = request?.authorization?.replace(/^Bearer /, '') ?? '';
    const verified = verifyDirectToken(parseDirectToken(token), { keys: [toRegisteredKey(importPublicKey(publicPem))], now: Math.floor(Date.now() / 1000) });
    assert.equal(verified.clientId, 'client_12345');
    assert.doesNotMatch(result.stdout + result.stderr, /eyJ/, 'the token is never printed');
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
