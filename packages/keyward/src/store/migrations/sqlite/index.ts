export { sqliteMigrations } from './sqlite-migrations.ts';
