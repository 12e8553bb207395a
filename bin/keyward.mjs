#!/usr/bin/env node
// The `keyward` command. The package ships its TypeScript sources and runs them through tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
