// The flows of the source documents, run as written against a started server (only URLs, IDs and
// file names changed):
// - 002: the openssl + shell recipe, posted with `curl --data-urlencode`. Corrected with
//   `openssl base64 -A` it succeeds for a client registered with its X.509 certificate and the
//   legacy audience policy (aud = the token endpoint, as in the document); as written
//   (`openssl base64 -e`, which wraps every 64 characters) it is refused 401 naming the line breaks.
//   The document's `authorization_code` grant becomes `client_credentials` (Keyward has no
//   authorization endpoint) and `uuidgen` (absent here) becomes /proc/sys/kernel/random/uuid.
// - 003: PS256 key with kid "1", jose SignJWT with a `scope: 'read'` claim, client_credentials with
//   fetch + URLSearchParams, then the API validating the access token against /jwks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { importPublicKeys } from '../../packages/core/src/keys/import-public-key.ts';
import { createClient, createRegistryContext } from '../../packages/keyward/src/server/services/registry/index.ts';
import { flushAudit, makeDataDir, startTestServer } from './helpers.ts';

let server: Awaited<ReturnType<typeof startTestServer>>;
const work = makeDataDir();
before(async () => { server = await startTestServer(); });
after(async () => { await server.stop(); work.remove(); });

// Steps 4, 5 and 7 of 002, with $B64 = "-e" (as written) or "-A" (corrected).
const RECIPE = String.raw`set -e
cat <<EOF > payload.json
{
"iss": "$CLIENT_ID",
"sub": "$CLIENT_ID",
"aud": "$TOKEN_URL",
"exp": $(($(date +%s) + 300)),
"iat": $(date +%s),
"jti": "$(cat /proc/sys/kernel/random/uuid)"
}
EOF
echo -n '{"alg":"RS256","typ":"JWT"}' | openssl base64 $B64 | tr -d '=' | tr '/+' '_-' > header_base64.txt
openssl base64 -in payload.json $B64 | tr -d '=' | tr '/+' '_-' > payload_base64.txt
echo -n "$(cat header_base64.txt).$(cat payload_base64.txt)" > signing_input.txt
openssl dgst -sha256 -sign private_key.pem -out signature.bin signing_input.txt
openssl base64 -in signature.bin $B64 | tr -d '=' | tr '/+' '_-' > signature_base64.txt
echo -n "$(cat header_base64.txt).$(cat payload_base64.txt).$(cat signature_base64.txt)" > jwt_assertion.txt
curl -s -w '\n%{http_code}' --location --request POST "$TOKEN_URL" \
--header 'Content-Type: application/x-www-form-urlencoded' \
--data-urlencode 'grant_type=client_credentials' \
--data-urlencode 'client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer' \
--data-urlencode "client_assertion=$(cat jwt_assertion.txt)" \
--data-urlencode 'scope=openid'
`;

// Asynchronous: curl talks to the server running in this very process.
const execFileAsync = promisify(execFile);
async function run(script: string, env: Record<string, string>): Promise<string> {
  const { stdout } = await execFileAsync('sh', ['-c', script], { cwd: work.dir, env: { ...process.env, TOKEN_URL: `${server.issuer}/token`, ...env }, encoding: 'utf8', timeout: 20_000 });
  return stdout;
}

async function runRecipe(clientId: string, b64: '-A' | '-e'): Promise<{ status: number; body: Record<string, unknown> }> {
  const lines = (await run(RECIPE, { CLIENT_ID: clientId, B64: b64 })).trimEnd().split('\n');
  const status = Number(lines.pop());
  return { status, body: JSON.parse(lines.join('\n')) as Record<string, unknown> };
}

test('002: openssl key + self-signed certificate registered; the corrected recipe (base64 -A) gets a token via curl', async () => {
  execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-out', 'private_key.pem', '-pkeyopt', 'rsa_keygen_bits:2048'], { cwd: work.dir, stdio: 'ignore' });
  execFileSync('openssl', ['req', '-new', '-x509', '-key', 'private_key.pem', '-out', 'certificate.pem', '-days', '365', '-subj', '/CN=order-service'], { cwd: work.dir, stdio: 'ignore' });
  const keys = importPublicKeys(readFileSync(join(work.dir, 'certificate.pem'), 'utf8'));
  await createClient(createRegistryContext(server.context.store), { actor: 'test', name: 'order-service', clientId: 'order-service', keys, scopes: ['openid'], audiencePolicy: 'legacy', accessTokenTtl: 300 });
  const { status, body } = await runRecipe('order-service', '-A');
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.token_type, 'Bearer');
  assert.equal(body.scope, 'openid');
  const { payload } = await jwtVerify(body.access_token as string, createRemoteJWKSet(new URL(`${server.issuer}/jwks`)), { issuer: server.issuer });
  assert.equal(payload.client_id, 'order-service');
});

test('002: the recipe as written (openssl base64 -e) is refused 401, naming the line breaks and the fix', async () => {
  const { status, body } = await runRecipe('order-service', '-e');
  assert.equal(status, 401);
  assert.equal(body.error, 'invalid_client');
  assert.match(String(body.error_description), /line breaks/);
  assert.match(String(body.error_description), /openssl base64 -A/);
  await flushAudit(server);
  const [event] = await server.context.store.audit.queryAudit({ reason: 'assertion_line_breaks' });
  assert.ok(event, 'the refusal is audited with its reason');
});

test('002: posting the same jwt_assertion.txt twice: the second is refused (jti replay)', async () => {
  assert.equal((await runRecipe('order-service', '-A')).status, 200);
  const again = await run(`curl -s -o /dev/null -w '%{http_code}' -X POST "$TOKEN_URL" --data-urlencode grant_type=client_credentials --data-urlencode client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer --data-urlencode "client_assertion=$(cat jwt_assertion.txt)" --data-urlencode scope=openid`, {});
  assert.equal(again, '401');
});

test('003: PS256 key with kid "1", jose SignJWT, client_credentials with scope read, the API validating against /jwks', async () => {
  // From the document: generate the key pair, export the public JWK with alg and kid.
  const algorithm = 'PS256';
  const keyPair = await generateKeyPair(algorithm, { extractable: true });
  const publicJwk = await exportJWK(keyPair.publicKey);
  publicJwk.alg = algorithm;
  publicJwk.kid = '1';
  await createClient(createRegistryContext(server.context.store), { actor: 'test', name: 'partner-api-client', clientId: 'partner-api-client', keys: importPublicKeys(publicJwk as Record<string, unknown>), scopes: ['read'], accessTokenTtl: 300 });

  const clientID = 'partner-api-client';
  const keyId = '1';
  const tokenEndpoint = `${server.issuer}/token`;
  const nowSeconds = Math.floor(Date.now() / 1000);
  // The document passes Date.now() (milliseconds) to setIssuedAt/setExpirationTime; JWT times are
  // seconds (RFC 7519 §2), so the corrected call uses seconds (the as-written call is refused below).
  // aud is the issuer identifier (the document's URL was its server's token endpoint).
  const assertion = await new SignJWT({ sub: clientID, iss: clientID, aud: server.issuer, jti: crypto.randomUUID(), scope: 'read' })
    .setProtectedHeader({ kid: keyId, alg: algorithm })
    .setIssuedAt(nowSeconds - 30)
    .setExpirationTime(nowSeconds + 30)
    .sign(keyPair.privateKey);

  const formData = new URLSearchParams();
  formData.append('grant_type', 'client_credentials');
  formData.append('client_assertion', assertion);
  formData.append('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
  const response = await fetch(tokenEndpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: formData });
  assert.equal(response.status, 200);
  const data = (await response.json()) as { access_token: string; scope: string };
  assert.equal(data.scope, 'read');

  // "the API simply validates the JWT access token it receives, then authorizes using Scopes"
  const { payload } = await jwtVerify(data.access_token, createRemoteJWKSet(new URL(`${server.issuer}/jwks`)), { issuer: server.issuer, audience: server.issuer, typ: 'at+jwt' });
  assert.equal(payload.scope, 'read');
  assert.equal(payload.client_id, clientID);

  // As written (milliseconds), the assertion is refused with a description naming milliseconds.
  const msAssertion = await new SignJWT({ sub: clientID, iss: clientID, aud: server.issuer, jti: crypto.randomUUID(), scope: 'read' })
    .setProtectedHeader({ kid: keyId, alg: algorithm })
    .setIssuedAt(Date.now() - 30000)
    .setExpirationTime(Date.now() + 30000)
    .sign(keyPair.privateKey);
  const refused = await fetch(tokenEndpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', client_assertion: msAssertion, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' }) });
  assert.equal(refused.status, 401);
  assert.match(((await refused.json()) as { error_description: string }).error_description, /milliseconds/);
});
