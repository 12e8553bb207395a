// A restart on the same SQLite data directory keeps everything of the sign-in world: the user and
// its passkey, the browser's sign-in session (still signed in), the remembered consent (the same
// authorization request goes straight to a code, with no consent page) and the refresh token (it
// still refreshes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRegistryContext, createUser } from '../../packages/keyward/src/server/services/registry/index.ts';
import { addCodeClient, authorizeUrl, exchangeCode, follow, pkcePair, refresh, runToCode } from './authorization-helpers.ts';
import { makeDataDir, startTestServer } from './helpers.ts';
import { CookieJar, browse, signIn } from './sign-in-helpers.ts';

test('a restart keeps users, passkeys, sign-in sessions, remembered consent and refresh tokens (SQLite)', async () => {
  const data = makeDataDir();
  let server = await startTestServer({ dataDir: data.dir });
  try {
    const user = await createUser(createRegistryContext(server.context.store), { actor: 'test', username: 'restart-user', password: 'a restart-proof password' });
    await server.context.store.users.addPasskey({ credentialId: 'cred-restart', sub: user.sub, publicKey: 'cHVibGljLWtleQ', counter: 3, transports: ['internal'], createdAt: new Date() });
    const client = await addCodeClient(server, { consent: 'required', slot: 3 });
    const jar = new CookieJar();
    const signedIn = await signIn(server.url, jar, 'restart-user', 'a restart-proof password');
    assert.equal(signedIn.response.status, 303, signedIn.text);
    const first = await runToCode(server, client, { cookie: jar.header(), scope: 'openid offline_access' });
    assert.ok(first.code, 'a code after the consent page');
    const tokens = await exchangeCode(server, client, first.code, first.verifier);
    assert.equal(tokens.status, 200, tokens.text);
    const refreshToken = tokens.json.refresh_token as string;
    assert.ok(refreshToken);

    await server.close();
    server = await startTestServer({ dataDir: data.dir });

    assert.equal((await server.context.store.users.findUserByUsername('restart-user'))?.sub, user.sub, 'the user');
    assert.deepEqual((await server.context.store.users.listPasskeys(user.sub)).map((p) => p.credentialId), ['cred-restart'], 'its passkey');
    assert.equal((await browse(jar, `${server.url}/sign-in/done`)).response.status, 200, 'the browser is still signed in');
    const again = await follow(server, authorizeUrl(server, client, { challenge: pkcePair().challenge, scope: 'openid offline_access', state: 'after-restart' }), { cookie: jar.header() });
    assert.equal(again.status, 303, `no consent page: the consent is remembered (${again.text.slice(0, 200)})`);
    assert.ok(new URL(again.headers.get('location')!).searchParams.get('code'));
    const refreshed = await refresh(server, client, refreshToken);
    assert.equal(refreshed.status, 200, refreshed.text);
    assert.notEqual(refreshed.json.refresh_token, refreshToken);
  } finally {
    await server.close();
    data.remove();
  }
});
