// Configuration: documented defaults, the strict schema (unknown keys refused by name), KEYWARD_*
// variables, precedence, frozen result, issuer from configuration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG, SETTING_DOCS, environmentVariableOf, resolveConfig, resolveIssuer } from '../../packages/keyward/src/config/index.ts';
import { loadConfig } from '../../packages/keyward/src/server/load-config.ts';

test('defaults: 127.0.0.1:4440, ./.keyward, ES256, 300 s access tokens', () => {
  const config = resolveConfig();
  assert.equal(config.server.host, '127.0.0.1');
  assert.equal(config.server.port, 4440);
  assert.equal(config.storage.dataDir, './.keyward');
  assert.equal(config.tokens.signingAlg, 'ES256');
  assert.equal(config.tokens.accessTokenTtl, 300);
  assert.equal(resolveIssuer(config, 4440), 'http://127.0.0.1:4440');
});

test('an unknown key is refused with its name and the valid keys at that level', () => {
  assert.throws(() => resolveConfig({ file: { server: { prot: 80 } }, fileName: 'keyward.json' }), (error: Error) => {
    assert.match(error.message, /keyward\.json/);
    assert.match(error.message, /unknown setting server\.prot/);
    assert.match(error.message, /host, port, issuer/);
    return true;
  });
  assert.throws(() => resolveConfig({ file: { tokenz: {} } }), /unknown setting tokenz: the valid settings are server, storage, tokens/);
});

test('wrong types and values are refused with the setting name', () => {
  assert.throws(() => resolveConfig({ file: { tokens: { signingAlg: 'HS256' } } }), /tokens\.signingAlg/);
  assert.throws(() => resolveConfig({ file: { server: { issuer: 'https://as.example.com/#frag' } } }), /server\.issuer/);
  assert.throws(() => resolveConfig({ env: { KEYWARD_PORT: 'eighty' } }), /KEYWARD_\* environment variables: server\.port/);
  assert.throws(() => resolveConfig({ env: { KEYWARD_WORKERS: 'many' } }), /server\.workers: workers is a whole number from 1 to 64, or "auto"/);
  assert.throws(() => resolveConfig({ file: { server: { workers: 0 } } }), /server\.workers: workers is a whole number from 1 to 64/);
  assert.throws(() => resolveConfig({ file: { server: { workers: 1.5 } } }), /server\.workers: workers is a whole number from 1 to 64/);
});

test('server.workers: 1 by default, a number or auto from the file or KEYWARD_WORKERS', () => {
  assert.equal(resolveConfig({}).server.workers, 1);
  assert.equal(resolveConfig({ env: { KEYWARD_WORKERS: '4' } }).server.workers, 4);
  assert.equal(resolveConfig({ env: { KEYWARD_WORKERS: 'auto' } }).server.workers, 'auto');
  assert.equal(resolveConfig({ file: { server: { workers: 2 } } }).server.workers, 2);
});

test('precedence: defaults < file < KEYWARD_* < overrides; the result is frozen', () => {
  const config = resolveConfig({
    file: { server: { port: 1000, host: '0.0.0.0' }, tokens: { accessTokenTtl: 60 } },
    env: { KEYWARD_PORT: '2000', KEYWARD_ISSUER: 'https://as.example.com/', KEYWARD_DATA_DIR: '/tmp/x' },
    overrides: { server: { port: 3000 } },
  });
  assert.equal(config.server.port, 3000);
  assert.equal(config.server.host, '0.0.0.0');
  assert.equal(config.tokens.accessTokenTtl, 60);
  assert.equal(config.storage.dataDir, '/tmp/x');
  assert.equal(resolveIssuer(config, 3000), 'https://as.example.com');
  assert.ok(Object.isFrozen(config) && Object.isFrozen(config.server));
  assert.throws(() => { (config.server as { port: number }).port = 1; });
  assert.equal(DEFAULT_CONFIG.server.port, 4440, 'defaults untouched');
});

test('loadConfig reads KEYWARD_CONFIG and refuses a broken file clearly', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-config-'));
  try {
    const path = join(dir, 'keyward.json');
    writeFileSync(path, JSON.stringify({ server: { port: 5555 } }));
    assert.equal(loadConfig({ env: { KEYWARD_CONFIG: path } }).server.port, 5555);
    writeFileSync(path, '{ not json');
    assert.throws(() => loadConfig({ env: { KEYWARD_CONFIG: path } }), /not valid JSON/);
    assert.throws(() => loadConfig({ env: { KEYWARD_CONFIG: join(dir, 'missing.json') } }), /cannot read the config file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every setting in the defaults is documented (docs/configuration.md is generated from SETTING_DOCS)', () => {
  const paths: string[] = [];
  const walk = (value: object, prefix: string) => {
    for (const [key, inner] of Object.entries(value)) {
      if (typeof inner === 'object' && inner !== null) walk(inner, `${prefix}${key}.`);
      else paths.push(`${prefix}${key}`);
    }
  };
  walk(DEFAULT_CONFIG, '');
  const documented = SETTING_DOCS.map((doc) => doc.path);
  for (const path of paths) assert.ok(documented.includes(path), `${path} is documented`);
});

test('docs/configuration.md is generated from the defaults file and up to date', async () => {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/gen-config-docs.ts', '--check'], { env: { ...process.env, NODE_NO_WARNINGS: '1' } });
});

/** A valid value other than the default for each text setting (numbers go up by one, booleans flip). */
const TEXT_VALUES: Readonly<Record<string, string>> = {
  'server.host': '0.0.0.0',
  'server.issuer': 'https://auth.example.com',
  'storage.dataDir': '/var/lib/keyward',
  'storage.databaseUrl': 'postgres://keyward@db.internal/keyward',
  'storage.redisUrl': 'redis://cache.internal:6379',
  'storage.keyPrefix': 'kw-test:',
  'tokens.signingAlg': 'RS256',
  'keys.encryptionKey': 'a'.repeat(64),
  'keys.encryptionKeyFile': '/run/secrets/kek',
  'keys.previousEncryptionKey': 'b'.repeat(64),
  'keys.previousEncryptionKeyFile': '/run/secrets/kek-old',
  'log.level': 'debug',
};

function valueAt(config: unknown, path: string): unknown {
  let value = config;
  for (const key of path.split('.')) value = (value as Record<string, unknown> | undefined)?.[key];
  return value;
}

test('every setting can be given by its environment variable (rate limits included), typed as the setting', () => {
  for (const doc of SETTING_DOCS) {
    const name = environmentVariableOf(doc);
    const fallback = valueAt(DEFAULT_CONFIG, doc.path);
    let raw: string;
    let expected: unknown;
    if (typeof fallback === 'number') [raw, expected] = [String(fallback + 1), fallback + 1];
    else if (typeof fallback === 'boolean') [raw, expected] = [String(!fallback), !fallback];
    else if (doc.path === 'alerts.webhooks') [raw, expected] = ['[{"url":"https://hooks.example/k","kinds":["replay_burst"]}]', [{ url: 'https://hooks.example/k', kinds: ['replay_burst'] }]];
    else if (Array.isArray(fallback)) [raw, expected] = ['keys.internal, 127.0.0.1', ['keys.internal', '127.0.0.1']];
    else {
      assert.ok(Object.hasOwn(TEXT_VALUES, doc.path), `a test value for ${doc.path}`);
      [raw, expected] = [TEXT_VALUES[doc.path]!, TEXT_VALUES[doc.path]];
    }
    const config = resolveConfig({ env: { [name]: raw } });
    assert.deepEqual(valueAt(config, doc.path), expected, `${name} sets ${doc.path}`);
  }
  assert.equal(environmentVariableOf({ path: 'rateLimit.perClient', description: '' }), 'KEYWARD_RATE_LIMIT_PER_CLIENT');
  const limits = resolveConfig({ env: { KEYWARD_RATE_LIMIT_PER_CLIENT: '50', KEYWARD_RATE_LIMIT_WINDOW: '2', KEYWARD_RATE_LIMIT_ENABLED: 'false' } }).rateLimit;
  assert.deepEqual({ perClient: limits.perClient, window: limits.window, enabled: limits.enabled }, { perClient: 50, window: 2, enabled: false });
  assert.deepEqual(resolveConfig({ env: { KEYWARD_CLIENTS_JWKS_URI_ALLOW_HOSTS: '["a.internal"]' } }).clients.jwksUriAllowHosts, ['a.internal']);
});

test('a bad value from the environment is refused with the name of its variable', () => {
  const cases: Array<[string, string, string]> = [
    ['KEYWARD_RATE_LIMIT_PER_CLIENT', 'lots', 'rateLimit.perClient'],
    ['KEYWARD_METRICS_ENABLED', 'yes please', 'metrics.enabled'],
    ['KEYWARD_PORT', 'http', 'server.port'],
    ['KEYWARD_TOKENS_SIGNING_ALG', 'HS256', 'tokens.signingAlg'],
    ['KEYWARD_ALERTS_WEBHOOKS', '[{"url":"ftp://x.example/"}]', 'alerts.webhooks.0.url'],
  ];
  for (const [name, value, path] of cases) {
    assert.throws(() => resolveConfig({ env: { [name]: value } }), (error: Error) => error.message.includes(`${path}: `) && error.message.includes(`(set by ${name})`), name);
  }
});
