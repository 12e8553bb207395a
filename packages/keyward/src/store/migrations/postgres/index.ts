export { postgresMigrations } from './postgres-migrations.ts';
