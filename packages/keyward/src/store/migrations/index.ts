export { runMigrations } from './run-migrations.ts';
export { sqliteMigrations } from './sqlite/index.ts';
export { postgresMigrations } from './postgres/index.ts';
