/**
 * The dependency rule between the packages (docs/architecture.md), as eslint.config.js enforces it:
 * each import below, written in the package named, is refused by `no-restricted-imports`, and the
 * allowed one is not. The lint step of `npm test` applies the same configuration to the real files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { ROOT } from './packed.ts';

const eslint = new ESLint({ cwd: ROOT });

async function restrictedImports(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const refused: ReadonlyArray<{ file: string; code: string; why: RegExp }> = [
  { file: 'packages/verify/src/probe.ts', code: "import type { Store } from '../../keyward/src/store/contract.ts';\nexport type S = Store;\n", why: /never imports the keyward package/ },
  { file: 'packages/client/src/probe.ts', code: "import { startServer } from 'keyward';\nexport const s = startServer;\n", why: /never imports the keyward package/ },
  { file: 'packages/core/src/probe.ts', code: "import { z } from 'zod';\nexport const q = z;\n", why: /no dependency/ },
  { file: 'packages/core/src/probe.ts', code: "import { SignJWT } from 'jose';\nexport const s = SignJWT;\n", why: /no dependency/ },
  { file: 'packages/core/src/probe.ts', code: "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n", why: /no file system/ },
  { file: 'packages/core/src/probe.ts', code: "import { createVerifier } from '@keyward/verify';\nexport const v = createVerifier;\n", why: /imports nothing from verify/ },
  { file: 'packages/client/src/probe.ts', code: "import { createVerifier } from '@keyward/verify';\nexport const v = createVerifier;\n", why: /uses @keyward\/core only/ },
  { file: 'packages/keyward/src/probe.ts', code: "import { OAuthError } from '../../core/src/errors.ts';\nexport const e = OAuthError;\n", why: /by its name/ },
];

for (const { file, code, why } of refused) {
  test(`dependency rule: ${file.split('/')[1]} may not ${code.split('\n')[0]}`, async () => {
    const messages = await restrictedImports(file, code);
    assert.ok(messages.some((m) => why.test(m)), `expected a no-restricted-imports error matching ${String(why)}, got ${JSON.stringify(messages)}`);
  });
}

test('dependency rule: a library package may import @keyward/core by name', async () => {
  assert.deepEqual(await restrictedImports('packages/verify/src/probe.ts', "import { OAuthError } from '@keyward/core';\nexport const e = OAuthError;\n"), []);
});
