#!/usr/bin/env node
// The `keyward` command: compiled and bundled JavaScript (dist/bin/, written by scripts/build.mjs),
// no TypeScript loader. Each command's chunk is loaded only when that command runs.
import { main } from '../dist/bin/main.js';

await main(process.argv);
