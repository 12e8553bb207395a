/**
 * The in-memory AlertStore (see create-memory-store.ts): alerts by id and the per-client activity.
 * Every method runs without an `await` between its read and its write, so within one process
 * raiseAlert stores an id once and recordClientActivity answers one first use per key. Records are
 * copied in and out. Does NOT check state transitions (the alert service does).
 */
import type { AlertRecord, AlertState, AlertStore } from '../contract.ts';
import { ALERT_STATES } from '../contract.ts';
import { activityBefore, compareAlertsNewestFirst, resolveAlertLimit } from '../shared/alert-rows.ts';

const copy = <T>(value: T): T => structuredClone(value);

/** The memory AlertStore, and the hook the client registry calls when a client is deleted. */
export interface MemoryAlertStore {
  readonly alerts: AlertStore;
  /** Forgets the activity of a deleted client (its alerts stay). */
  forgetClientActivity(clientId: string): void;
}

/** Creates an empty in-memory AlertStore. */
export function createMemoryAlertStore(): MemoryAlertStore {
  const alerts = new Map<string, AlertRecord>();
  /** alert id → until when its pending delivery is held (epoch ms); absent: nothing pending. */
  const leases = new Map<string, number>();
  /** clientId → first and last use (epoch ms). */
  const activity = new Map<string, { firstSeen: number; lastSeen: number }>();
  /** clientId → network → last use (epoch ms). */
  const networks = new Map<string, Map<string, number>>();
  /** clientId → thumbprints used. */
  const keyUses = new Map<string, Set<string>>();

  return {
    forgetClientActivity(clientId) {
      activity.delete(clientId);
      networks.delete(clientId);
      keyUses.delete(clientId);
    },
    alerts: {
      async raiseAlert(alert) {
        if (alerts.has(alert.id)) return false;
        alerts.set(alert.id, copy(alert));
        return true;
      },
      async getAlert(id) {
        const alert = alerts.get(id);
        return alert && copy(alert);
      },
      async listAlerts(query) {
        let sorted = [...alerts.values()].sort(compareAlertsNewestFirst);
        if (query.beforeId !== undefined) {
          const at = sorted.findIndex((a) => a.id === query.beforeId);
          sorted = at < 0 ? [] : sorted.slice(at + 1);
        }
        return sorted
          .filter((a) => (query.state === undefined || a.state === query.state)
            && (query.kind === undefined || a.kind === query.kind)
            && (query.clientId === undefined || a.clientId === query.clientId))
          .slice(0, resolveAlertLimit(query.limit))
          .map(copy);
      },
      async countAlerts() {
        const counts = Object.fromEntries(ALERT_STATES.map((state) => [state, 0])) as Record<AlertState, number>;
        for (const alert of alerts.values()) counts[alert.state] += 1;
        return counts;
      },
      async setAlertState(id, state, by, at, from) {
        const alert = alerts.get(id);
        if (!alert || (from !== undefined && !from.includes(alert.state))) return undefined;
        const next: AlertRecord = { ...alert, state, updatedBy: by, updatedAt: new Date(at.getTime()) };
        alerts.set(id, next);
        return copy(next);
      },
      async setAlertDeliveries(id, deliveries, leaseUntil) {
        const alert = alerts.get(id);
        if (!alert) return;
        alerts.set(id, { ...alert, deliveries: copy(deliveries) });
        if (leaseUntil === undefined) leases.delete(id);
        else leases.set(id, leaseUntil.getTime());
      },
      async claimPendingDeliveries(now, leaseUntil, limit) {
        const due = [...leases].filter(([, until]) => until <= now.getTime())
          .sort(([a, x], [b, y]) => x - y || (a < b ? -1 : a > b ? 1 : 0))
          .slice(0, Math.max(0, Math.floor(limit)));
        for (const [id] of due) leases.set(id, leaseUntil.getTime());
        return due.map(([id]) => copy(alerts.get(id)!));
      },
      async recordClientActivity({ clientId, network, keyThumbprint, at }) {
        const time = at.getTime();
        const client = activity.get(clientId);
        activity.set(clientId, client
          ? { firstSeen: Math.min(client.firstSeen, time), lastSeen: Math.max(client.lastSeen, time) }
          : { firstSeen: time, lastSeen: time });
        let networkLastSeen: number | undefined;
        if (network !== undefined) {
          let byNetwork = networks.get(clientId);
          if (!byNetwork) networks.set(clientId, (byNetwork = new Map()));
          networkLastSeen = byNetwork.get(network);
          byNetwork.set(network, Math.max(networkLastSeen ?? time, time));
        }
        let keyFirstUse = false;
        if (keyThumbprint !== undefined) {
          let used = keyUses.get(clientId);
          if (!used) keyUses.set(clientId, (used = new Set()));
          keyFirstUse = !used.has(keyThumbprint);
          used.add(keyThumbprint);
        }
        const date = (ms: number | undefined): Date | undefined => (ms === undefined ? undefined : new Date(ms));
        return activityBefore(date(client?.firstSeen), date(client?.lastSeen), date(networkLastSeen), keyFirstUse);
      },
    },
  };
}
