/**
 * The password check does the same work whoever asks: an unknown username, an invalid one and a
 * user without a password each cost one argon2id verification, like a wrong password for a real
 * user (medians of 5 runs within a factor of 3; without the dummy verification the unknown cases
 * take about 1/50 of the time). A statistical timing test over HTTP is a separate matter.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig } from '../../packages/keyward/src/config/resolve-config.ts';
import { createMemoryStore } from '../../packages/keyward/src/store/index.ts';
import { createRegistryContext, createUser } from '../../packages/keyward/src/server/services/registry/index.ts';
import { checkPasswordSignIn, createSignInThrottle } from '../../packages/keyward/src/server/services/sign-in/index.ts';

test('unknown, invalid and password-less usernames cost one verification, like a wrong password', async () => {
  const store = createMemoryStore();
  const ctx = createRegistryContext(store);
  await createUser(ctx, { actor: 'test', username: 'real', password: 'the right password' });
  await createUser(ctx, { actor: 'test', username: 'nopassword' });
  const throttle = createSignInThrottle({ ...resolveConfig().signIn, maxFailuresPerUsername: 1000, maxFailuresPerAddress: 1000 });
  const median = async (username: string): Promise<number> => {
    const times: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const started = process.hrtime.bigint();
      const result = await checkPasswordSignIn(ctx, throttle, username, 'a wrong password', '192.0.2.1');
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
      assert.equal(result.ok, false);
      assert.equal(result.ok === false && result.outcome, 'bad_credentials', username);
    }
    return times.sort((a, b) => a - b)[2]!;
  };
  const reference = await median('real');
  for (const username of ['unknown-user', 'not a valid <username>', 'nopassword']) {
    const ratio = (await median(username)) / reference;
    assert.ok(ratio > 1 / 3 && ratio < 3, `${username}: ${ratio.toFixed(2)} times the work of a wrong password`);
  }
  await throttle.close();
});
