#!/usr/bin/env node
// The `keyward` command from this repository's TypeScript sources, for development and the tests
// (which run it as `node bin/keyward.mjs ...`). The published command is packages/keyward/bin/keyward.js,
// compiled JavaScript with no loader. Child processes (`serve --workers N`) inherit the loader
// through NODE_OPTIONS.
const loader = new URL('../scripts/register-sources.mjs', import.meta.url).href;
const options = process.env.NODE_OPTIONS ?? '';
if (!options.includes(loader)) process.env.NODE_OPTIONS = `${options} --import=${loader}`.trim();
await import(loader);
const { main } = await import('../packages/keyward/src/cli/main.ts');
await main(process.argv);
