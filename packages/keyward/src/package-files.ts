/**
 * Files of the `keyward` package that are read or started at run time (console assets, worker
 * modules), found from the package's root rather than from the calling module: the published
 * command runs bundled chunks from dist/bin/, the library runs dist/ as compiled, the repository
 * runs src/, and each module sits at a different depth in each.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The directory holding the `keyward` package's package.json. */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'keyward') {
      root = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`the keyward package's package.json was not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** True when the repository runs the TypeScript sources (tests, bin/keyward.mjs), false from dist/. */
export const RUNNING_SOURCES = import.meta.url.endsWith('.ts');

/**
 * A module of this package as a path, by its name under src/ without extension: the `.ts` source
 * when the sources run, the compiled `.js` (or `.mjs` as is) under dist/ otherwise.
 */
export function packageModule(name: string, extension: '.js' | '.mjs' = '.js'): string {
  if (RUNNING_SOURCES) return join(packageRoot(), 'src', `${name}${extension === '.js' ? '.ts' : extension}`);
  return join(packageRoot(), 'dist', `${name}${extension}`);
}
