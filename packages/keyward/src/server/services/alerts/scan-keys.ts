/**
 * The periodic half of the anomaly detector: a scan of every registered client key (run at
 * start-up and every `alerts.keyScanInterval` seconds) that drafts:
 *
 * - `key_expiring`: a usable key ends within `keyExpiringDays` days (its certificate's `notAfter`,
 *   or the `retireAt` of a rotation) and the client has no other usable key that outlives it: the
 *   client is about to be locked out. A rotation announced in advance (new key added, old one
 *   retiring) leaves a successor, so it raises nothing. Once per key.
 * - `key_age`: a usable key is older than its client's `key_max_age_days`, or else `keys.maxAge`
 *   days (0: no limit). Once per key.
 *
 * Clients of a `jwks_uri` manage their keys themselves and are not scanned; revoked keys and
 * disabled clients are skipped. Reads clients a page at a time, so the scan's memory does not grow
 * with the registry.
 */
import type { ClientKeyRecord, ClientStore } from '../../../store/contract.ts';
import { DAY_MS, daysOf, type AlertDraft } from './alert-draft.ts';

/** The settings the scan reads. */
export interface KeyScanSettings {
  /** `alerts.keyExpiringDays`; 0 turns `key_expiring` off. */
  readonly keyExpiringDays: number;
  /** `keys.maxAge` in days (a client's `key_max_age_days` wins); 0 turns `key_age` off. */
  readonly keyMaxAgeDays: number;
}

const PAGE = 500;

/** Scans every client's keys at `now`; calls `onDraft` for each alert found (awaited, in order). */
export async function scanKeys(clients: Pick<ClientStore, 'listClients' | 'listKeys'>, settings: KeyScanSettings, now: Date, onDraft: (draft: AlertDraft) => Promise<void>): Promise<{ clients: number; keys: number }> {
  let scannedClients = 0;
  let scannedKeys = 0;
  let after: string | undefined;
  for (;;) {
    const page = await clients.listClients({ limit: PAGE, ...(after === undefined ? {} : { after }) });
    for (const client of page) {
      if (client.state !== 'enabled' || client.jwksUri !== undefined) continue;
      scannedClients += 1;
      const keys = (await clients.listKeys(client.clientId)).filter((key) => usableAt(key, now.getTime()));
      scannedKeys += keys.length;
      // A client's own key_max_age_days wins over keys.maxAge.
      const own = { ...settings, keyMaxAgeDays: client.keyMaxAgeDays ?? settings.keyMaxAgeDays };
      for (const draft of judgeKeys(keys, own, now)) await onDraft(draft);
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.clientId;
  }
  return { clients: scannedClients, keys: scannedKeys };
}

/** The drafts for one client's usable keys at `now` (pure). */
export function judgeKeys(keys: readonly ClientKeyRecord[], settings: KeyScanSettings, now: Date): AlertDraft[] {
  const at = now.getTime();
  const drafts: AlertDraft[] = [];
  for (const key of keys) {
    const moment = { windowStart: now, windowEnd: now, firstEventAt: now, lastEventAt: now };
    const who = { clientId: key.clientId, keyThumbprint: key.thumbprint };
    const end = endOf(key);
    if (settings.keyExpiringDays > 0 && end !== undefined && end - at <= settings.keyExpiringDays * DAY_MS) {
      // A successor: another usable key that lives longer (or has no end).
      const successor = keys.some((other) => other.thumbprint !== key.thumbprint && other.state === 'active' && (endOf(other) ?? Number.POSITIVE_INFINITY) > end);
      if (!successor) {
        drafts.push({
          kind: 'key_expiring',
          dedupKey: `${key.clientId}|${key.thumbprint}`,
          ...who,
          ...moment,
          windowEnd: new Date(end),
          observed: daysOf(end - at),
          expected: settings.keyExpiringDays,
          details: { kid: key.kid, ends_at: new Date(end).toISOString(), ends_by: key.notAfter !== undefined && key.notAfter.getTime() === end ? 'certificate_not_after' : 'retire_at', advice: 'add the client\'s next key before this one ends' },
        });
      }
    }
    const age = at - key.createdAt.getTime();
    if (settings.keyMaxAgeDays > 0 && age > settings.keyMaxAgeDays * DAY_MS) {
      drafts.push({
        kind: 'key_age',
        dedupKey: `${key.clientId}|${key.thumbprint}`,
        ...who,
        ...moment,
        windowStart: key.createdAt,
        observed: daysOf(age),
        expected: settings.keyMaxAgeDays,
        details: { kid: key.kid, created_at: key.createdAt.toISOString(), advice: 'rotate the key: add a new one, then retire this one' },
      });
    }
  }
  return drafts;
}

/** A key that can authenticate now: not revoked, within its certificate dates, not yet retired. */
function usableAt(key: ClientKeyRecord, at: number): boolean {
  if (key.state === 'revoked') return false;
  if (key.notBefore !== undefined && key.notBefore.getTime() > at) return false;
  const end = endOf(key);
  return end === undefined || end > at;
}

/** When a key stops authenticating: the earlier of its certificate's notAfter and its retirement. */
function endOf(key: ClientKeyRecord): number | undefined {
  const ends = [key.notAfter?.getTime(), key.state === 'retiring' ? key.retireAt?.getTime() : undefined].filter((value): value is number => value !== undefined);
  return ends.length === 0 ? undefined : Math.min(...ends);
}
