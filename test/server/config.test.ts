// Configuration: documented defaults, the strict schema (unknown keys refused by name), KEYWARD_*
// variables, precedence, frozen result, issuer from configuration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG, SETTING_DOCS, resolveConfig, resolveIssuer } from '../../packages/keyward/src/config/index.ts';
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
