#!/usr/bin/env node
// The `keyward` command: compiled JavaScript (dist/), no TypeScript loader. Each command's module is
// loaded only when that command runs.
import { main } from '../dist/cli/main.js';

await main(process.argv);
