/**
 * `npm run bench`: runs every benchmark in this folder in one go and prints the figures as ratios
 * against the peers measured in the same run. Each benchmark is a module `*.bench.ts` exporting
 * `run(options)`; `npm run bench -- token` runs only the files whose name contains "token". The soak
 * (30 minutes by default) runs only when named: `npm run bench -- soak`.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => (filters.length === 0 ? !f.startsWith('soak') : filters.some((needle) => f.includes(needle))))
  .sort();
if (files.length === 0) {
  console.error('no benchmark matches');
  process.exit(1);
}
for (const file of files) {
  console.log(`\n=== ${file} ===`);
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { run: (argv: string[]) => Promise<void> };
  await mod.run(process.argv.slice(2));
}
