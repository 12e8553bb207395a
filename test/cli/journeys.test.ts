/**
 * The two user journeys of the source documents, end to end, as a user runs them: real openssl,
 * spawned `keyward` processes, a real `keyward serve` started by the test, and the example API
 * protected by keyward/verify (examples/protected-api).
 *
 * 000: openssl genrsa -des3 (passphrase in an environment variable) → clients add → token → call
 *      (access token, and direct mode); also keyward keygen --encrypt → clients add → token.
 * 002: openssl genpkey + self-signed certificate → clients add --public-key certificate.pem → the
 *      openssl assertion recipe (refused with `base64 -e`, accepted with `-A`) → curl → keyward token.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, runCommand, runKeyward, runShell, startServeProcess } from './run-cli.ts';
import { startProtectedApi } from '../../examples/protected-api/server.mjs';

const temp = makeTempDir('journeys');
const dir = temp.dir;
const dataDir = join(dir, 'data');
const API_AUDIENCE = 'http://127.0.0.1/protected-api';
const PASSWORD_ENV = { PRIVATE_KEY_PASSWORD: 'journey-pass-1' };
let server: { url: string; stop: () => Promise<void> };
let api: { url: string; close: () => Promise<void> };

before(async () => {
  mkdirSync(join(dir, 'api-keys'), { recursive: true });
  server = await startServeProcess(dataDir);
  api = await startProtectedApi({ issuer: server.url, audience: API_AUDIENCE, keysDir: join(dir, 'api-keys'), port: 0 });
});

after(async () => {
  await api?.close();
  await server?.stop();
  temp.remove();
});

function clientsAdd(args: readonly string[]) {
  return runKeyward(['clients', 'add', ...args, '--json'], { cwd: dir, env: { KEYWARD_DATA_DIR: dataDir } });
}

test('journey 000: openssl genrsa -des3 → clients add → keyward token → keyward call (access token and direct mode)', async () => {
  // Step 1 of the document, with the passphrase in an environment variable.
  const keys = await runShell('openssl genrsa -des3 -passout env:PRIVATE_KEY_PASSWORD -out private_key.pem 2048 && openssl rsa -in private_key.pem -passin env:PRIVATE_KEY_PASSWORD -pubout -out public_key.pem', { cwd: dir, env: PASSWORD_ENV });
  assert.equal(keys.code, 0, keys.stderr);
  // Steps 2-3: share the public key, receive a client ID.
  const added = await clientsAdd(['--name', 'partner', '--public-key', 'public_key.pem', '--scope', 'read', '--client-id', 'client_12345']);
  assert.equal(added.code, 0, added.stderr);
  assert.equal((JSON.parse(added.stdout) as { client_id: string }).client_id, 'client_12345');
  copyFileSync(join(dir, 'public_key.pem'), join(dir, 'api-keys', 'client_12345.pem'));

  const signing = ['--client-id', 'client_12345', '--key', 'private_key.pem', '--passphrase-env', 'PRIVATE_KEY_PASSWORD'];
  const [token, call, direct, refused, unknown] = await Promise.all([
    runKeyward(['token', '--issuer', server.url, ...signing, '--scope', 'read', '--resource', API_AUDIENCE, '--json'], { cwd: dir, env: PASSWORD_ENV }),
    runKeyward(['call', `${api.url}/api/resource`, '--issuer', server.url, ...signing, '--scope', 'read', '--resource', API_AUDIENCE, '--json'], { cwd: dir, env: PASSWORD_ENV }),
    runKeyward(['call', `${api.url}/direct/resource`, '--direct', ...signing], { cwd: dir, env: PASSWORD_ENV }),
    runKeyward(['token', '--issuer', server.url, ...signing, '--scope', 'admin'], { cwd: dir, env: PASSWORD_ENV }),
    runKeyward(['call', `${api.url}/direct/resource`, '--direct', '-i', '--client-id', 'client_unknown', '--key', 'private_key.pem', '--passphrase-env', 'PRIVATE_KEY_PASSWORD'], { cwd: dir, env: PASSWORD_ENV }),
  ]);
  assert.equal(token.code, 0, token.stderr);
  const response = JSON.parse(token.stdout) as { access_token: string; token_type: string; expires_in: number };
  assert.match(response.access_token, /^eyJ/);
  assert.equal(response.token_type, 'Bearer');
  assert.ok(response.expires_in > 0);
  assert.equal(call.code, 0, call.stderr);
  const answer = JSON.parse(call.stdout) as { status: number; body: { client_id: string } };
  assert.equal(answer.status, 200);
  assert.equal(answer.body.client_id, 'client_12345');
  assert.doesNotMatch(call.stdout + call.stderr, /eyJ/, 'call never prints the token');
  assert.equal(direct.code, 0, direct.stderr);
  assert.match(direct.stdout, /hello from mode B/);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /invalid_scope/);
  // An API refusal: exit code 1, the status line with -i, the challenge on standard error.
  assert.equal(unknown.code, 1);
  assert.match(unknown.stdout, /^HTTP 401/);
  assert.match(unknown.stderr, /HTTP 401.*Bearer/);
});

test('journey 000 with keyward keygen --encrypt: keygen → clients add → token; a wrong passphrase exits 3', async () => {
  const env = { KEY_PASS: 'another-pass-2' };
  const made = await runKeyward(['keygen', '--type', 'ec', '--encrypt', '--passphrase-env', 'KEY_PASS', '--out', 'kg/app', '--json'], { cwd: dir, env });
  assert.equal(made.code, 0, made.stderr);
  const { kid } = JSON.parse(made.stdout) as { kid: string };
  const added = await clientsAdd(['--name', 'kg-app', '--public-key', 'kg/app-jwks.json', '--scope', 'read']);
  assert.equal(added.code, 0, added.stderr);
  const clientId = (JSON.parse(added.stdout) as { client_id: string }).client_id;
  const signing = ['--issuer', server.url, '--client-id', clientId, '--key', 'kg/app-private.pem', '--passphrase-env', 'KEY_PASS', '--kid', kid];
  const [token, wrong, assertion] = await Promise.all([
    runKeyward(['token', ...signing, '--scope', 'read'], { cwd: dir, env }),
    runKeyward(['token', ...signing], { cwd: dir, env: { KEY_PASS: 'wrong-pass' } }),
    runKeyward(['assertion', ...signing], { cwd: dir, env }),
  ]);
  // assertion --issuer reads discovery and uses the issuer as aud; doctor agrees with the server on every rule.
  assert.equal(assertion.code, 0, assertion.stderr);
  const doctor = await runKeyward(['doctor', assertion.stdout, '--key', 'kg/app-public.jwk.json', '--issuer', server.url, '--client-id', clientId, '--json'], { cwd: dir });
  const report = JSON.parse(doctor.stdout) as { ok: boolean; checks: Array<{ id: string; status: string }> };
  assert.equal(report.ok, true, doctor.stdout);
  for (const id of ['server.discovery', 'clock.offset', 'claims.aud', 'signature.kid', 'signature.verify', 'verifier']) {
    assert.equal(report.checks.find((check) => check.id === id)?.status, 'pass', id);
  }
  assert.equal(token.code, 0, token.stderr);
  assert.match(token.stdout, /^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/, 'the token alone, on one line');
  assert.equal(wrong.code, 3);
  assert.match(wrong.stderr, /passphrase does not open/);
});

test('journey 002 (certificate): openssl certificate → clients add → openssl assertion recipe → curl; base64 -e refused, -A accepted; keyward token', async () => {
  const made = await runShell([
    'mkdir -p wso2 && cd wso2',
    'openssl genpkey -algorithm RSA -out private_key.pem -pkeyopt rsa_keygen_bits:2048',
    'openssl req -new -x509 -key private_key.pem -out certificate.pem -days 365 -subj "/CN=orders-service"',
  ].join(' && '), { cwd: dir });
  assert.equal(made.code, 0, made.stderr);
  const added = await clientsAdd(['--name', 'orders', '--public-key', 'wso2/certificate.pem', '--audience-policy', 'legacy']);
  assert.equal(added.code, 0, added.stderr);
  const clientId = (JSON.parse(added.stdout) as { client_id: string }).client_id;
  const tokenEndpoint = `${server.url}/token`;
  // The document's recipe (steps 4-5), verbatim but for the client ID, the aud and uuidgen.
  const recipe = (flag: string) => [
    `printf '{\\n"iss": "%s",\\n"sub": "%s",\\n"aud": "%s",\\n"exp": %s,\\n"iat": %s,\\n"jti": "%s"\\n}\\n' "${clientId}" "${clientId}" "${tokenEndpoint}" "$(($(date +%s) + 300))" "$(date +%s)" "$(cat /proc/sys/kernel/random/uuid)" > payload.json`,
    `echo -n '{"alg":"RS256","typ":"JWT"}' | openssl base64 ${flag} | tr -d '=' | tr '/+' '_-' > header_base64.txt`,
    `openssl base64 -in payload.json ${flag} | tr -d '=' | tr '/+' '_-' > payload_base64.txt`,
    'echo -n "$(cat header_base64.txt).$(cat payload_base64.txt)" > signing_input.txt',
    'openssl dgst -sha256 -sign private_key.pem -out signature.bin signing_input.txt',
    `openssl base64 -in signature.bin ${flag} | tr -d '=' | tr '/+' '_-' > signature_base64.txt`,
    'echo -n "$(cat header_base64.txt).$(cat payload_base64.txt).$(cat signature_base64.txt)" > jwt_assertion.txt',
  ].join('\n');
  // Step 7's curl, with the client_credentials grant.
  const curl = `curl -s --location --request POST '${tokenEndpoint}' --header 'Content-Type: application/x-www-form-urlencoded' --data-urlencode 'grant_type=client_credentials' --data-urlencode 'client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer' --data-urlencode "client_assertion=$(cat jwt_assertion.txt)"`;
  const cwd = join(dir, 'wso2');

  assert.equal((await runShell(recipe('-e'), { cwd })).code, 0);
  const refused = await runCommand('bash', ['-c', curl], { cwd });
  assert.equal((JSON.parse(refused.stdout) as { error: string }).error, 'invalid_client', refused.stdout);
  const diagnosis = await runKeyward(['doctor', '@jwt_assertion.txt', '--key', 'certificate.pem', '--issuer', server.url, '--audience-policy', 'legacy', '--client-id', clientId], { cwd });
  assert.equal(diagnosis.code, 1);
  assert.match(diagnosis.stdout, /FAIL {2}the JWT contains line breaks/);
  assert.match(diagnosis.stdout, /openssl base64 -A/);

  assert.equal((await runShell(recipe('-A'), { cwd })).code, 0);
  const accepted = await runCommand('bash', ['-c', curl], { cwd });
  const body = JSON.parse(accepted.stdout) as { access_token?: string };
  assert.match(body.access_token ?? '', /^eyJ/, accepted.stdout);
  // Replaying the same assertion is refused (jti, RFC 7523 §3 (7)).
  const replay = await runCommand('bash', ['-c', curl], { cwd });
  assert.equal((JSON.parse(replay.stdout) as { error: string }).error, 'invalid_client');

  // The same with keyward instead of the recipe: aud = the token endpoint, as the WSO2 client does.
  const token = await runKeyward(['token', '--token-endpoint', tokenEndpoint, '--client-id', clientId, '--key', 'private_key.pem'], { cwd });
  assert.equal(token.code, 0, token.stderr);
  assert.match(token.stdout, /^eyJ/);
  assert.ok(readFileSync(join(cwd, 'jwt_assertion.txt'), 'utf8').length > 100);
});
