// Interop: openid-client 6 runs the whole authorization code flow against Keyward as a relying
// party would: PAR with PrivateKeyJwt (buildAuthorizationUrlWithPAR), the end user signing in on
// Keyward's real sign-in page (a browser played by fetch with a cookie jar: the page, its CSRF
// token, the password form, the continue page), the callback with iss and state,
// authorizationCodeGrant with PKCE and nonce, refreshTokenGrant, fetchUserInfo, then RP-initiated
// logout (buildEndSessionUrl) that ends the sign-in session.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { importPKCS8 } from 'jose';
import { createRegistryContext, createUser } from '../../packages/keyward/src/server/services/registry/index.ts';
import { addCodeClient } from './authorization-helpers.ts';
import { startTestServer } from './helpers.ts';
import { CookieJar, browse, csrfOf } from './sign-in-helpers.ts';

let server: Awaited<ReturnType<typeof startTestServer>>;
let sub: string;
before(async () => {
  server = await startTestServer();
  sub = (await createUser(createRegistryContext(server.context.store), { actor: 'test', username: 'carol', name: 'Carol', email: 'carol@example.com', password: 'carol signs in here' })).sub;
});
after(async () => { await server.stop(); });

/** The browser: from the authorization URL through the sign-in page to the client's callback. */
async function signInAndReturn(jar: CookieJar, authorizationUrl: URL): Promise<URL> {
  const toSignIn = await browse(jar, authorizationUrl.href);
  assert.equal(toSignIn.response.status, 303, toSignIn.text);
  const signInUrl = new URL(toSignIn.response.headers.get('location')!, server.url);
  assert.equal(signInUrl.pathname, '/sign-in');
  const page = await browse(jar, signInUrl.href);
  const posted = await browse(jar, `${server.url}/sign-in`, { form: { csrf_token: csrfOf(page.text), username: 'carol', password: 'carol signs in here', return_to: signInUrl.searchParams.get('return_to')! } });
  assert.equal(posted.response.status, 200, posted.text);
  const next = /<meta http-equiv="refresh" content="0; url=([^"]*)">/.exec(posted.text)![1]!.replaceAll('&amp;', '&');
  const back = await browse(jar, new URL(next, server.url).href);
  assert.equal(back.response.status, 303, back.text);
  return new URL(back.response.headers.get('location')!);
}

test('openid-client: PAR + PrivateKeyJwt, sign-in on the real page, authorizationCodeGrant, refreshTokenGrant, fetchUserInfo, logout', async () => {
  const client = await addCodeClient(server, { consent: 'implicit', requirePar: true, slot: 9, postLogoutRedirectUris: ['https://rp.example/signed-out'] });
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

  const jar = new CookieJar();
  const callback = await signInAndReturn(jar, url);
  assert.equal(callback.origin + callback.pathname, client.redirectUri);
  const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state, idTokenExpected: true });
  const claims = tokens.claims()!;
  assert.equal(claims.sub, sub, 'the user\'s stable sub');
  assert.equal(claims.aud, client.clientId);
  assert.equal(claims.nonce, nonce);
  assert.deepEqual(claims.amr, ['pwd']);
  assert.ok(tokens.refresh_token);
  const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
  assert.notEqual(refreshed.refresh_token, tokens.refresh_token, 'rotated on use');
  const userinfo = await oidc.fetchUserInfo(config, refreshed.access_token, claims.sub);
  assert.deepEqual(userinfo, { sub, preferred_username: 'carol', name: 'Carol', email: 'carol@example.com' });

  // RP-initiated logout with the ID token as hint: back to the registered URI, and the session ends.
  const signedInBefore = await browse(jar, `${server.url}/sign-in/done`);
  assert.equal(signedInBefore.response.status, 200, 'signed in before the logout');
  const logout = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://rp.example/signed-out', state: 'bye' });
  const ended = await browse(jar, logout.href);
  assert.equal(ended.response.status, 303, ended.text);
  const landed = new URL(ended.response.headers.get('location')!);
  assert.equal(landed.origin + landed.pathname, 'https://rp.example/signed-out');
  assert.equal(landed.searchParams.get('state'), 'bye');
  const signedInAfter = await browse(jar, `${server.url}/sign-in/done`);
  assert.equal(signedInAfter.response.status, 303, 'the sign-in session has ended');
});
