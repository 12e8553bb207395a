// User enumeration by timing (OWASP Authentication Cheat Sheet, "Authentication and error
// messages"): a sign-in with an unknown username must take as long as one with a known username and
// a wrong password. Asserted statistically over interleaved samples, never on a single timing: a
// Mann-Whitney U test finds no difference between the two distributions (|z| below 3.29, p > 0.001
// two-sided), and their medians are within 25 % of each other. Without the dummy password
// verification for unknown users, they answer in a fraction of a millisecond against tens of
// milliseconds of argon2id, and both checks fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRegistryContext, createUser } from '../../packages/keyward/src/server/services/registry/index.ts';
import { startTestServer } from './helpers.ts';
import { CookieJar, browse, csrfOf } from './sign-in-helpers.ts';

/** The normal approximation of the Mann-Whitney U statistic of samples `a` and `b` (ties ranked by their mean rank). */
function mannWhitneyZ(a: readonly number[], b: readonly number[]): number {
  const all = [...a.map((value) => ({ value, group: 0 })), ...b.map((value) => ({ value, group: 1 }))].sort((x, y) => x.value - y.value);
  const ranks = new Array<number>(all.length);
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.value === all[i]!.value) j += 1;
    for (let k = i; k <= j; k += 1) ranks[k] = (i + j) / 2 + 1;
    i = j + 1;
  }
  const rankSumA = all.reduce((sum, entry, index) => (entry.group === 0 ? sum + ranks[index]! : sum), 0);
  const u = rankSumA - (a.length * (a.length + 1)) / 2;
  const mean = (a.length * b.length) / 2;
  const sd = Math.sqrt((a.length * b.length * (a.length + b.length + 1)) / 12);
  return (u - mean) / sd;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

test('an unknown username and a wrong password take the same time (Mann-Whitney U over 40 interleaved samples each)', async () => {
  const server = await startTestServer({ overrides: { signIn: { maxFailuresPerUsername: 100_000, maxFailuresPerAddress: 100_000 } } });
  try {
    await createUser(createRegistryContext(server.context.store), { actor: 'test', username: 'known', password: 'the right password' });
    /** One failed sign-in; the time of the POST alone (the page and its CSRF token come first). */
    const attempt = async (username: string): Promise<number> => {
      const jar = new CookieJar();
      const page = await browse(jar, `${server.url}/sign-in`);
      const started = performance.now();
      const { response, text } = await browse(jar, `${server.url}/sign-in`, { form: { csrf_token: csrfOf(page.text), username, password: 'not the password' } });
      const elapsed = performance.now() - started;
      assert.equal(response.status, 401, text.slice(0, 200));
      return elapsed;
    };
    await attempt('warm-up-unknown');
    await attempt('known');
    const unknown: number[] = [];
    const wrongPassword: number[] = [];
    // Interleaved, so that whatever else the machine does falls on both groups alike.
    for (let i = 0; i < 40; i += 1) {
      unknown.push(await attempt(`nobody-${i}-${Math.random().toString(36).slice(2)}`));
      wrongPassword.push(await attempt('known'));
    }
    const z = mannWhitneyZ(unknown, wrongPassword);
    const ratio = median(unknown) / median(wrongPassword);
    const summary = `medians ${median(unknown).toFixed(1)} ms (unknown) vs ${median(wrongPassword).toFixed(1)} ms (wrong password), z = ${z.toFixed(2)}`;
    assert.ok(Math.abs(z) < 3.29, `the two distributions differ: ${summary}`);
    assert.ok(ratio > 0.75 && ratio < 1.33, `the medians differ by more than a quarter: ${summary}`);
  } finally {
    await server.stop();
  }
});
