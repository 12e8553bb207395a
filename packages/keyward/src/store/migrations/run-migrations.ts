/**
 * Runs every pending migration with kysely's Migrator and turns a failure into a StoreError that
 * says what to do. Does NOT migrate down.
 */
import { Migrator, type Kysely, type MigrationProvider } from 'kysely';
import { StoreError } from '../errors.ts';

/**
 * Brings the schema up to date; throws StoreError('corrupt') when a migration fails. `schema`
 * (PostgreSQL) names the schema holding the migration tables, so that another schema's
 * `keyward_migration` table is never mistaken for ours.
 */
export async function runMigrations(db: Kysely<unknown>, provider: MigrationProvider, where: string, schema?: string): Promise<void> {
  const migrator = new Migrator({
    db, provider, migrationTableName: 'keyward_migration', migrationLockTableName: 'keyward_migration_lock',
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error === undefined) return;
  const failed = results?.find((r) => r.status === 'Error')?.migrationName;
  const cause = error instanceof Error ? error.message : String(error);
  const hint = /missing|corrupted migrations/i.test(cause)
    ? 'the database was written by a newer Keyward: upgrade Keyward or use another database'
    : 'check that the database belongs to Keyward and is not damaged';
  throw new StoreError('corrupt', `cannot migrate ${where}${failed ? ` (migration ${failed})` : ''}: ${cause}; ${hint}`, { cause: error });
}
