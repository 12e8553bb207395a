import { build } from 'esbuild';
const r = await build({ entryPoints: ['src/cli/main.ts'], bundle: true, platform: 'node', format: 'esm', packages: 'external', write: false, outdir: '/tmp/x', metafile: true, logLevel: 'silent', splitting: true });
const inputs = r.metafile.inputs;
const start = 'src/cli/main.ts';
const prev = new Map([[start, null]]); const q = [start];
while (q.length) { const f = q.shift(); for (const imp of inputs[f]?.imports ?? []) { if (imp.kind !== 'import-statement') continue; const p = imp.path; if (!prev.has(p)) { prev.set(p, f); if (!imp.external) q.push(p); } } }
const ext = [...prev.keys()].filter((k) => !k.startsWith('src/') && !k.startsWith('node:'));
console.log('static src files', [...prev.keys()].filter((k) => k.startsWith('src/')).length, 'packages', ext.join(' '));
for (const pkg of ext) { const chain = []; let n = pkg; while (n) { chain.push(n); n = prev.get(n); } console.log(pkg, ':', chain.reverse().join(' -> ')); }
