/**
 * File modes of the SQLite data (src/store/sqlite/check-file-modes.ts, open-store.ts): the database
 * holds the server's private signing keys, so it, its WAL and SHM files are created 0600 and the
 * data directory 0700, whatever the umask and whether or not the directory already existed; an
 * existing directory or file readable by others gets one warning line naming the path and the chmod.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, SQLITE_FILE_NAME } from '../../packages/keyward/src/store/index.ts';
import { makeClient } from './contract-suite.ts';

const modeOf = (path: string): number => statSync(path).mode & 0o777;

/** Opens the store under a permissive umask (0022, the usual default) and writes, so the WAL and SHM exist. */
async function openAndWrite(dataDir: string, warnings: string[]): Promise<void> {
  const previous = process.umask(0o022);
  try {
    const store = await openStore({ dataDir, onWarning: (message) => warnings.push(message) });
    await store.clients.createClient(makeClient(`c-${warnings.length}-${Date.now()}`));
    const file = join(dataDir, SQLITE_FILE_NAME);
    // While open, the WAL and SHM files exist.
    assert.equal(modeOf(`${file}-wal`), 0o600, 'WAL file mode');
    assert.equal(modeOf(`${file}-shm`), 0o600, 'SHM file mode');
    await store.close();
  } finally {
    process.umask(previous);
  }
}

test('a new data directory is created 0700 and keyward.sqlite, -wal and -shm 0600, without a warning', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'keyward-modes-'));
  try {
    const dataDir = join(parent, 'data');
    const warnings: string[] = [];
    await openAndWrite(dataDir, warnings);
    assert.equal(modeOf(dataDir), 0o700);
    assert.equal(modeOf(join(dataDir, SQLITE_FILE_NAME)), 0o600);
    assert.deepEqual(warnings, []);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test('in a data directory that already exists (0755), keyward.sqlite is still created 0600, and the directory is named in one warning with its chmod', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'keyward-modes-'));
  try {
    const dataDir = join(parent, 'data');
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o755);
    const warnings: string[] = [];
    await openAndWrite(dataDir, warnings);
    assert.equal(modeOf(join(dataDir, SQLITE_FILE_NAME)), 0o600);
    assert.equal(modeOf(dataDir), 0o755, 'an existing directory is reported, not changed');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, new RegExp(`${dataDir} has mode 0755: .*chmod 700 ${dataDir}`));
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test('an existing keyward.sqlite readable by others is named in a warning with `chmod 600`', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'keyward-modes-'));
  try {
    const dataDir = join(parent, 'data');
    await openAndWrite(dataDir, []);
    const file = join(dataDir, SQLITE_FILE_NAME);
    chmodSync(file, 0o644);
    const warnings: string[] = [];
    const store = await openStore({ dataDir, onWarning: (message) => warnings.push(message) });
    await store.close();
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, new RegExp(`${file} has mode 0644: other users can read the server's private signing keys; run \`chmod 600 ${file}\``));
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});
