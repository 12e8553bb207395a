// Module resolution hook of the repository's own runs (tests, the bin/keyward.mjs launcher, bench):
// `@keyward/core`, `@keyward/verify`, `@keyward/client` and `keyward/*` resolve to the TypeScript
// sources of the workspace (packages/*/src) instead of their built dist/, so that a test and the code
// it exercises share one copy of each module and no build is needed first. The map is read from each
// package's own "exports" (./dist/x.js -> ./src/x.ts): there is no second list to keep in step.
// Published packages never see this file.
import { readFileSync, readdirSync } from 'node:fs';

const packagesDir = new URL('../packages/', import.meta.url);
const sources = new Map();
for (const dir of readdirSync(packagesDir)) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(new URL(`${dir}/package.json`, packagesDir), 'utf8'));
  } catch {
    continue;
  }
  for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
    const built = typeof target === 'string' ? target : target.default;
    if (typeof built !== 'string' || !built.startsWith('./dist/') || !built.endsWith('.js')) continue;
    const specifier = subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`;
    const source = `./src/${built.slice('./dist/'.length, -'.js'.length)}.ts`;
    sources.set(specifier, new URL(`${dir}/${source.slice(2)}`, packagesDir).href);
  }
}

export async function resolve(specifier, context, nextResolve) {
  const url = sources.get(specifier);
  if (url !== undefined) return { url, format: 'module', shortCircuit: true };
  return nextResolve(specifier, context);
}
