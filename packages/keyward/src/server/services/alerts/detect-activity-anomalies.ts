/**
 * The history-based half of the anomaly detector: it compares each authenticated use of a client
 * with what the store remembers of that client (AlertStore.recordClientActivity), and drafts:
 *
 * - `new_key_first_use`: a registered key authenticates for the first time (once per key, ever:
 *   the store answers "first use" to exactly one caller across nodes);
 * - `dormant_client_active`: a client that had not authenticated for `dormantDays` days does;
 * - `new_source_network`: after `newNetworkLearningDays` days from its first use, a client
 *   authenticates from a network (/24, /48; see sourceNetworkOf) it has not used for
 *   `newNetworkForgetDays` days.
 *
 * The store is asked only when this process has not recorded the client for an hour, or sees a
 * network or a key it has not recorded: a steady client costs one store write per hour per node,
 * not one per token. So "last seen" in the store is accurate to within that hour, which the day
 * thresholds above make irrelevant. The per-client memory is bounded like the rate detector's.
 */
import type { KeywardConfig } from '../../../config/defaults.ts';
import type { AlertStore, AuditEvent } from '../../../store/contract.ts';
import { DAY_MS, daysOf, NO_DRAFTS, type AlertDraft } from './alert-draft.ts';
import { BoundedMap } from './bounded-map.ts';
import { sourceNetworkOf } from './source-network.ts';

/** The settings this detector reads (`alerts.*`, documented in config/defaults.ts; a 0 turns a kind off). */
export type ActivityDetectorSettings = Pick<KeywardConfig['alerts'], 'newKeyFirstUse' | 'newNetworkLearningDays' | 'newNetworkForgetDays' | 'dormantDays' | 'maxTrackedClients'>;

/** How long a recorded use stays fresh in this process before the store is told again. */
export const ACTIVITY_RECORD_INTERVAL_MS = 3_600_000;
/** Networks and keys remembered per client in memory (the store remembers them all). */
const PER_CLIENT_MEMORY = 8;

/** Plain arrays, not a Map and a Set: a tenth of the memory for the few entries a client has. */
interface ClientMemory {
  recordedAt: number;
  lastAddress?: string | undefined;
  lastNetwork?: string | undefined;
  networks: string[];
  networkTimes: number[];
  keys: string[];
}

/** The activity detector of one server process. */
export interface ActivityDetector {
  /**
   * Reads one audit event; answers the alerts it completes: at once when the store need not be
   * asked (nearly always), else a promise (store failures reject).
   */
  observe(event: AuditEvent): readonly AlertDraft[] | Promise<readonly AlertDraft[]>;
}

/** Creates an activity detector over `store`. */
export function createActivityDetector(store: Pick<AlertStore, 'recordClientActivity'>, settings: ActivityDetectorSettings): ActivityDetector {
  const memory = new BoundedMap<string, ClientMemory>(settings.maxTrackedClients);

  /** What the store must hear of, and remember after it did. */
  async function record(event: AuditEvent, clientId: string, known: ClientMemory, network: string | undefined): Promise<AlertDraft[]> {
    const at = event.time.getTime();
    const key = event.keyThumbprint;
    const before = await store.recordClientActivity({ clientId, at: event.time, ...(network ? { network } : {}), ...(key ? { keyThumbprint: key } : {}) });
    known.recordedAt = at;
    if (network !== undefined) remember(known, network, at);
    if (key !== undefined && !known.keys.includes(key)) {
      known.keys.push(key);
      if (known.keys.length > PER_CLIENT_MEMORY) known.keys.shift();
    }

    const drafts: AlertDraft[] = [];
    const moment = { windowStart: event.time, windowEnd: event.time, firstEventAt: event.time, lastEventAt: event.time };
    const who = { clientId, ...(key ? { keyThumbprint: key } : {}) };
    if (settings.newKeyFirstUse && key !== undefined && before.keyFirstUse) {
      drafts.push({ kind: 'new_key_first_use', dedupKey: `${clientId}|${key}`, ...who, ...moment, observed: 1, ...(network ? { source: network } : {}) });
    }
    const lastSeen = before.clientLastSeen?.getTime();
    if (settings.dormantDays > 0 && lastSeen !== undefined && at - lastSeen >= settings.dormantDays * DAY_MS) {
      drafts.push({
        kind: 'dormant_client_active',
        dedupKey: `${clientId}|${lastSeen}`,
        ...who,
        ...moment,
        windowStart: new Date(lastSeen),
        observed: daysOf(at - lastSeen),
        expected: settings.dormantDays,
        details: { last_seen: new Date(lastSeen).toISOString() },
      });
    }
    const firstSeen = before.clientFirstSeen?.getTime();
    const learnt = firstSeen !== undefined && at - firstSeen >= settings.newNetworkLearningDays * DAY_MS;
    const networkLastSeen = before.networkLastSeen?.getTime();
    if (settings.newNetworkLearningDays > 0 && learnt && network !== undefined
      && (networkLastSeen === undefined || at - networkLastSeen >= settings.newNetworkForgetDays * DAY_MS)) {
      drafts.push({
        kind: 'new_source_network',
        dedupKey: `${clientId}|${network}|${Math.floor(at / DAY_MS)}`,
        ...who,
        ...moment,
        source: network,
        observed: networkLastSeen === undefined ? 0 : daysOf(at - networkLastSeen),
        expected: settings.newNetworkForgetDays,
        details: { address: event.sourceAddress, ...(networkLastSeen === undefined ? { never_seen: true } : { last_seen: new Date(networkLastSeen).toISOString() }) },
      });
    }
    return drafts;
  }

  return {
    observe(event) {
      if (event.type !== 'token.granted' || event.clientId === undefined) return NO_DRAFTS;
      const clientId = event.clientId;
      const at = event.time.getTime();
      const known = memory.use(clientId, () => ({ recordedAt: Number.NEGATIVE_INFINITY, networks: [], networkTimes: [], keys: [] }));
      // The network of the client's last address is kept: most uses come from the same address.
      if (event.sourceAddress !== known.lastAddress) {
        known.lastAddress = event.sourceAddress;
        known.lastNetwork = sourceNetworkOf(event.sourceAddress);
      }
      const network = known.lastNetwork;
      const key = event.keyThumbprint;
      const networkAt = network === undefined ? -1 : known.networks.indexOf(network);
      const networkFresh = network === undefined || (networkAt >= 0 && at - known.networkTimes[networkAt]! < ACTIVITY_RECORD_INTERVAL_MS);
      const keyKnown = key === undefined || known.keys.includes(key);
      // Synchronous when nothing is new: this runs for every token granted.
      if (at - known.recordedAt < ACTIVITY_RECORD_INTERVAL_MS && networkFresh && keyKnown) return NO_DRAFTS;
      return record(event, clientId, known, network);
    },
  };
}

/** Notes `network` as recorded at `at`, forgetting the oldest beyond PER_CLIENT_MEMORY. */
function remember(known: ClientMemory, network: string, at: number): void {
  const index = known.networks.indexOf(network);
  if (index >= 0) {
    known.networks.splice(index, 1);
    known.networkTimes.splice(index, 1);
  }
  known.networks.push(network);
  known.networkTimes.push(at);
  if (known.networks.length > PER_CLIENT_MEMORY) {
    known.networks.shift();
    known.networkTimes.shift();
  }
}
