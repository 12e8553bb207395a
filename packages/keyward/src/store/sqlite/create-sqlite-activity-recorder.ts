/**
 * recordClientActivity on one better-sqlite3 connection: prepared statements in a synchronous
 * transaction, queued on the connection's write batcher (create-write-batcher.ts). The batch holds
 * SQLite's write lock (`BEGIN IMMEDIATE`) while it runs, so the read of what was recorded before
 * and the write of this use see no other writer in between, across every connection and process
 * on the file: of concurrent first uses of a key exactly one answers `keyFirstUse: true`. The
 * caller's promise settles after the batch commits. The answers match sql/create-sql-alert-store.ts.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { AlertStore, ClientActivityBefore } from '../contract.ts';
import { activityBefore } from '../shared/alert-rows.ts';
import { readNumber } from '../shared/rows.ts';
import type { WriteBatcher } from './create-write-batcher.ts';

type Activity = Parameters<AlertStore['recordClientActivity']>[0];

/** Creates recordClientActivity for an open, migrated SQLite database. */
export function createSqliteActivityRecorder(db: BetterSqlite3.Database, batcher: WriteBatcher): AlertStore['recordClientActivity'] {
  const selectClient = db.prepare('SELECT first_seen, last_seen FROM client_activity WHERE client_id = ?');
  const upsertClient = db.prepare(`INSERT INTO client_activity (client_id, first_seen, last_seen) VALUES (@client_id, @at, @at)
    ON CONFLICT (client_id) DO UPDATE SET first_seen = min(first_seen, @at), last_seen = max(last_seen, @at)`);
  const selectNetwork = db.prepare('SELECT last_seen FROM client_networks WHERE client_id = ? AND network = ?');
  const upsertNetwork = db.prepare(`INSERT INTO client_networks (client_id, network, last_seen) VALUES (@client_id, @network, @at)
    ON CONFLICT (client_id, network) DO UPDATE SET last_seen = max(last_seen, @at)`);
  const insertKeyUse = db.prepare(`INSERT INTO client_key_uses (client_id, key_thumbprint, first_used_at) VALUES (?, ?, ?)
    ON CONFLICT (client_id, key_thumbprint) DO NOTHING`);

  // Inside the batch's transaction better-sqlite3 runs this as a SAVEPOINT: a failure undoes only this use.
  const record = db.transaction(({ clientId, network, keyThumbprint, at }: Activity): ClientActivityBefore => {
    const time = at.getTime();
    const client = selectClient.get(clientId) as { first_seen: unknown; last_seen: unknown } | undefined;
    upsertClient.run({ client_id: clientId, at: time });
    let networkLastSeen: Date | undefined;
    if (network !== undefined) {
      const row = selectNetwork.get(clientId, network) as { last_seen: unknown } | undefined;
      networkLastSeen = row && new Date(readNumber(row.last_seen));
      upsertNetwork.run({ client_id: clientId, network, at: time });
    }
    const keyFirstUse = keyThumbprint !== undefined && insertKeyUse.run(clientId, keyThumbprint, time).changes === 1;
    return activityBefore(
      client && new Date(readNumber(client.first_seen)),
      client && new Date(readNumber(client.last_seen)),
      networkLastSeen,
      keyFirstUse,
    );
  });

  return async (activity) => batcher.enqueue(() => record(activity));
}
