// `node --import ./scripts/register-sources.mjs file.ts`: runs the repository's TypeScript sources
// (development and tests only). tsx compiles .ts on the fly; source-resolve.mjs points the workspace
// packages' names at their sources. The published packages run their compiled dist/ with no loader.
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

registerTsx();
register('./source-resolve.mjs', import.meta.url);
