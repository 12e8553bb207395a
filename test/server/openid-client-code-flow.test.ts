// Interop: openid-client 6 runs the whole authorization code flow against Keyward as a relying
// party would (PAR with PrivateKeyJwt, the callback with iss and state, authorizationCodeGrant with
// PKCE and nonce, refreshTokenGrant, fetchUserInfo). The end user's browser is played by fetch with
// the SignInPort test double's session cookie.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { importPKCS8 } from 'jose';
import { createSignInTestDouble } from './sign-in-test-double.ts';
import { addCodeClient, follow } from './authorization-helpers.ts';
import { startTestServer } from './helpers.ts';

const signIn = createSignInTestDouble();
let server: Awaited<ReturnType<typeof startTestServer>>;
before(async () => {
  server = await startTestServer({ signIn });
  signIn.addUser({ sub: 'user-42', preferred_username: 'carol', name: 'Carol', email: 'carol@example.com' });
});
after(async () => { await server.stop(); });

test('openid-client: PAR + PrivateKeyJwt + authorizationCodeGrant + refreshTokenGrant + fetchUserInfo', async () => {
  const client = await addCodeClient(server, { consent: 'implicit', requirePar: true, slot: 9 });
  const key = await importPKCS8(client.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'ES256');
  const config = await oidc.discovery(new URL(server.issuer), client.clientId, { id_token_signed_response_alg: 'ES256', token_endpoint_auth_signing_alg: 'ES256' },
    oidc.PrivateKeyJwt({ key, kid: client.kid }), { execute: [oidc.allowInsecureRequests] });
  const verifier = oidc.randomPKCECodeVerifier();
  const nonce = oidc.randomNonce();
  const state = oidc.randomState();
  const url = await oidc.buildAuthorizationUrlWithPAR(config, {
    redirect_uri: client.redirectUri, scope: 'openid profile email offline_access', nonce, state,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  assert.equal(url.pathname, '/authorize');
  assert.match(url.searchParams.get('request_uri') ?? '', /^urn:ietf:params:oauth:request_uri:/);
  // The browser: signed in, no consent page for this client.
  const cookie = signIn.signIn('user-42');
  const answer = await follow(server, `${url.pathname}${url.search}`, { cookie });
  assert.equal(answer.status, 303, answer.text);
  const callback = new URL(answer.headers.get('location')!);
  const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state, idTokenExpected: true });
  const claims = tokens.claims()!;
  assert.equal(claims.sub, 'user-42');
  assert.equal(claims.aud, client.clientId);
  assert.equal(claims.nonce, nonce);
  assert.ok(tokens.refresh_token);
  const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
  assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
  const userinfo = await oidc.fetchUserInfo(config, refreshed.access_token, claims.sub);
  assert.deepEqual(userinfo, { sub: 'user-42', preferred_username: 'carol', name: 'Carol', email: 'carol@example.com' });
});
