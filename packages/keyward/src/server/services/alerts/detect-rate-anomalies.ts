/**
 * The count-based half of the anomaly detector: pure, synchronous, in memory, bounded. It reads the
 * audit events of token requests and drafts these alerts (docs/alerts.md):
 *
 * - `issuance_spike`: a client's `token.granted` events in one clock minute exceed
 *   `issuanceSpikeFactor` times its baseline and reach `issuanceSpikeMinimum`. The baseline is an
 *   exponentially weighted moving average of the client's earlier minutes (α = 0.1 per minute,
 *   idle minutes counting as zero), started from its first whole minute: a client's first two
 *   minutes seen by a process are never judged. One alert per client and minute.
 * - `replay_burst`: `replayBurstCount` refusals `jti_replayed` within `replayBurstWindow` seconds for
 *   one client, or from one source address (both are counted: a stolen assertion replayed from many
 *   addresses, or one address replaying many clients' assertions). One alert per subject and window.
 * - `signature_failures`: `signatureFailureCount` refusals `signature_invalid` or `kid_unknown` for
 *   one claimed client within `signatureFailureWindow` seconds. One alert per client and window.
 * - `legacy_audience`: a grant accepted under the legacy audience rules; once per client per UTC day.
 *
 * Memory: one small record per client and per source address, in two maps of at most
 * `maxTrackedClients` entries each (least recently seen forgotten first); a sliding window keeps at
 * most its threshold's number of timestamps. Times come from the events (the server's clock).
 *
 * Does NOT share counts between nodes: each process counts its own traffic (a spike spread evenly
 * over three nodes needs three times the grants to show); the alerts it raises are deduplicated by
 * id in the store.
 */
import type { KeywardConfig } from '../../../config/defaults.ts';
import type { AuditEvent } from '../../../store/contract.ts';
import { DAY_MS, NO_DRAFTS, type AlertDraft } from './alert-draft.ts';
import { BoundedMap } from './bounded-map.ts';

/** The settings this detector reads (`alerts.*`, documented in config/defaults.ts). */
export type RateDetectorSettings = Pick<KeywardConfig['alerts'], 'issuanceSpikeFactor' | 'issuanceSpikeMinimum' | 'replayBurstCount' | 'replayBurstWindow'
  | 'signatureFailureCount' | 'signatureFailureWindow' | 'legacyAudience' | 'maxTrackedClients'>;

/** The weight of the newest minute in the baseline. */
export const BASELINE_ALPHA = 0.1;
const MINUTE_MS = 60_000;
/** Idle minutes folded into a baseline at most (after that it is as good as zero). */
const MAX_IDLE_FOLD = 600;
const SIGNATURE_REASONS = new Set(['signature_invalid', 'kid_unknown']);

interface ClientRates {
  /** The clock minute being counted (epoch ms / 60 000), -1 before the first grant. */
  minute: number;
  count: number;
  firstInMinute: number;
  baseline: number;
  /** Whether `baseline` holds at least one whole minute. */
  hasBaseline: boolean;
  /** The client's first minute seen by this process (partial, never part of the baseline). */
  firstMinute: number;
  spikeMinute: number;
  replays?: number[];
  failures?: number[];
  legacyDay: number;
}

interface SourceRates {
  replays: number[];
}

/** The rate detector of one server process. */
export interface RateDetector {
  /** Reads one audit event; answers the alerts it completes (usually none). */
  observe(event: AuditEvent): readonly AlertDraft[];
  /** How many clients and source addresses it tracks now. */
  tracked(): { clients: number; sources: number };
}

/** Creates a rate detector with empty state. */
export function createRateDetector(settings: RateDetectorSettings): RateDetector {
  const clients = new BoundedMap<string, ClientRates>(settings.maxTrackedClients);
  const sources = new BoundedMap<string, SourceRates>(settings.maxTrackedClients);
  const newClient = (): ClientRates => ({ minute: -1, count: 0, firstInMinute: 0, baseline: 0, hasBaseline: false, firstMinute: -1, spikeMinute: -1, legacyDay: -1 });

  function onGranted(event: AuditEvent, clientId: string, at: number): readonly AlertDraft[] {
    const rates = clients.use(clientId, newClient);
    // Allocated only when an alert is drafted: this runs for every token granted.
    let drafts: AlertDraft[] | undefined;
    const minute = Math.floor(at / MINUTE_MS);
    if (minute > rates.minute) {
      if (rates.minute >= 0) {
        // Fold the minute that ended, then each idle minute since (as zero). The client's first
        // minute is partial (it began mid-minute): it is dropped, and the next one starts the baseline.
        if (rates.hasBaseline) rates.baseline += BASELINE_ALPHA * (rates.count - rates.baseline);
        else if (rates.minute !== rates.firstMinute) {
          rates.baseline = rates.count;
          rates.hasBaseline = true;
        }
        const idle = Math.min(minute - rates.minute - 1, MAX_IDLE_FOLD);
        if (idle > 0 && rates.hasBaseline) rates.baseline *= (1 - BASELINE_ALPHA) ** idle;
        else if (idle > 0) {
          // Idle minutes after the first one are whole minutes of zero grants.
          rates.baseline = 0;
          rates.hasBaseline = true;
        }
      } else {
        rates.firstMinute = minute;
      }
      rates.minute = minute;
      rates.count = 0;
      rates.firstInMinute = at;
    }
    rates.count += 1;
    if (rates.hasBaseline && rates.spikeMinute !== minute && rates.count >= settings.issuanceSpikeMinimum && rates.count > settings.issuanceSpikeFactor * rates.baseline) {
      rates.spikeMinute = minute;
      (drafts ??= []).push({
        kind: 'issuance_spike',
        dedupKey: `${clientId}|${minute}`,
        clientId,
        ...(event.keyThumbprint ? { keyThumbprint: event.keyThumbprint } : {}),
        windowStart: new Date(minute * MINUTE_MS),
        windowEnd: new Date((minute + 1) * MINUTE_MS),
        observed: rates.count,
        expected: round(rates.baseline),
        firstEventAt: new Date(rates.firstInMinute),
        lastEventAt: new Date(at),
        details: { factor: settings.issuanceSpikeFactor, minimum: settings.issuanceSpikeMinimum },
      });
    }
    if (settings.legacyAudience && event.details?.legacy_audience === true) {
      const day = Math.floor(at / DAY_MS);
      if (rates.legacyDay !== day) {
        rates.legacyDay = day;
        (drafts ??= []).push({
          kind: 'legacy_audience',
          dedupKey: `${clientId}|${day}`,
          clientId,
          ...(event.keyThumbprint ? { keyThumbprint: event.keyThumbprint } : {}),
          windowStart: new Date(day * DAY_MS),
          windowEnd: new Date((day + 1) * DAY_MS),
          observed: 1,
          firstEventAt: new Date(at),
          lastEventAt: new Date(at),
          details: { aud: event.details.aud, advice: 'the client should send the issuer identifier as a single aud string' },
        });
      }
    }
    return drafts ?? NO_DRAFTS;
  }

  return {
    observe(event) {
      const at = event.time.getTime();
      if (event.type === 'token.granted' && event.clientId !== undefined) return onGranted(event, event.clientId, at);
      if (event.type !== 'token.refused') return NO_DRAFTS;
      const drafts: AlertDraft[] = [];
      if (event.reason === 'jti_replayed') {
        const windowMs = settings.replayBurstWindow * 1000;
        if (event.clientId !== undefined) {
          const rates = clients.use(event.clientId, newClient);
          const burst = slide((rates.replays ??= []), at, windowMs, settings.replayBurstCount);
          if (burst) drafts.push(windowDraft('replay_burst', `client|${event.clientId}`, burst, at, windowMs, settings.replayBurstCount, { clientId: event.clientId }));
        }
        if (event.sourceAddress !== undefined) {
          const rates = sources.use(event.sourceAddress, () => ({ replays: [] }));
          const burst = slide(rates.replays, at, windowMs, settings.replayBurstCount);
          if (burst) drafts.push(windowDraft('replay_burst', `source|${event.sourceAddress}`, burst, at, windowMs, settings.replayBurstCount, { source: event.sourceAddress }));
        }
      } else if (event.reason !== undefined && SIGNATURE_REASONS.has(event.reason) && event.clientId !== undefined) {
        const windowMs = settings.signatureFailureWindow * 1000;
        const rates = clients.use(event.clientId, newClient);
        const burst = slide((rates.failures ??= []), at, windowMs, settings.signatureFailureCount);
        if (burst) {
          drafts.push(windowDraft('signature_failures', `client|${event.clientId}`, burst, at, windowMs, settings.signatureFailureCount, {
            clientId: event.clientId,
            ...(event.keyThumbprint ? { keyThumbprint: event.keyThumbprint } : {}),
          }));
        }
      }
      return drafts;
    },
    tracked: () => ({ clients: clients.size, sources: sources.size }),
  };
}

/**
 * Adds `at` to a sliding window of at most `threshold` timestamps; when the window holds
 * `threshold` events within `windowMs`, answers the first one and empties the window (the next
 * alert needs `threshold` new events).
 */
function slide(times: number[], at: number, windowMs: number, threshold: number): { first: number; count: number } | undefined {
  times.push(at);
  while (times.length > 0 && times[0]! <= at - windowMs) times.shift();
  if (times.length > threshold) times.shift();
  if (times.length < threshold) return undefined;
  const first = times[0]!;
  times.length = 0;
  return { first, count: threshold };
}

/** A draft of a sliding-window kind: one alert per subject and fixed window of `windowMs`. */
function windowDraft(kind: 'replay_burst' | 'signature_failures', subject: string, burst: { first: number; count: number }, at: number, windowMs: number, threshold: number, who: { clientId?: string; keyThumbprint?: string; source?: string }): AlertDraft {
  const bucket = Math.floor(at / windowMs);
  return {
    kind,
    dedupKey: `${subject}|${bucket}`,
    ...who,
    windowStart: new Date(at - windowMs),
    windowEnd: new Date(at),
    observed: burst.count,
    expected: threshold - 1,
    firstEventAt: new Date(burst.first),
    lastEventAt: new Date(at),
    details: { threshold, window_seconds: windowMs / 1000 },
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
