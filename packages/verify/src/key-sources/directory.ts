/**
 * Direct-mode keys from a local directory: one file per client, named by client ID
 * (`<client_id>.pem`, `.jwk`, `.json` or `.jwks`), holding one or more public keys.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { importPublicKeys, toRegisteredKey } from '@keyward/core';
import type { ClientKeySource } from '../types.ts';
import { createCachedKeySource } from './cached-key-source.ts';

/** Options of {@link createDirectoryKeySource}. */
export interface DirectoryKeySourceOptions {
  /** The directory holding `<client_id>.pem` (or .jwk/.json/.jwks) files. */
  readonly dir: string;
  /** Files are re-read at most this often per client, in seconds (default 5): the rotation/revocation bound. */
  readonly reloadSeconds?: number;
  /** Most clients cached (default 10000). */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

/** Extensions tried, in order. */
export const KEY_FILE_EXTENSIONS = ['.pem', '.jwk', '.json', '.jwks'] as const;

// A client ID becomes a file name: allow only a safe charset, never a path (no "/", no leading dot).
const SAFE_CLIENT_ID = /^[A-Za-z0-9_@-][A-Za-z0-9._@-]{0,127}$/;

/**
 * A key source reading `<dir>/<client_id>.<ext>`. Every key in the file is active; to rotate, put the
 * new key in the file beside the old one, then remove the old one; to revoke, remove the key or the
 * file. Changes are seen within `reloadSeconds` (default 5), or at once when a token names a kid the
 * cache does not know (at most one re-read per second per client).
 *
 * A client ID outside `[A-Za-z0-9._@-]` (or starting with a dot) is an unknown client: it is never
 * used as a path. A file that does not parse: the keys already cached are kept (a half-written file
 * does not lock clients out); with none cached the request gets 503 and onRefusal sees the KeyError.
 * Does NOT watch the directory (no fs.watch): it re-reads lazily.
 */
export function createDirectoryKeySource(options: DirectoryKeySourceOptions): ClientKeySource {
  const dir = resolve(options.dir);
  const reloadSeconds = options.reloadSeconds ?? 5;
  return createCachedKeySource({
    cooldownSeconds: Math.min(1, reloadSeconds),
    maxEntries: options.maxEntries ?? 10_000,
    now: options.now ?? Date.now,
    async load(clientId) {
      if (!SAFE_CLIENT_ID.test(clientId)) return { entry: undefined, ttlSeconds: reloadSeconds };
      for (const ext of KEY_FILE_EXTENSIONS) {
        let text: string;
        try {
          text = await readFile(join(dir, clientId + ext), 'utf8');
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
          throw error;
        }
        const keys = importPublicKeys(text).map((info) => toRegisteredKey(info));
        return { entry: { state: 'enabled', keys }, ttlSeconds: reloadSeconds };
      }
      return { entry: undefined, ttlSeconds: reloadSeconds };
    },
  });
}
