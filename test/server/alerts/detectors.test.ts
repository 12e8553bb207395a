// The anomaly detectors' rules, each scenario next to the normal traffic that must not raise it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditEvent, ClientKeyRecord } from '../../../packages/keyward/src/store/contract.ts';
import { createRateDetector, type RateDetectorSettings } from '../../../packages/keyward/src/server/services/alerts/detect-rate-anomalies.ts';
import { judgeKeys } from '../../../packages/keyward/src/server/services/alerts/scan-keys.ts';
import { sourceNetworkOf } from '../../../packages/keyward/src/server/services/alerts/source-network.ts';
import { BoundedMap } from '../../../packages/keyward/src/server/services/alerts/bounded-map.ts';
import { alertIdOf, type AlertDraft } from '../../../packages/keyward/src/server/services/alerts/alert-draft.ts';
import { DEFAULT_CONFIG } from '../../../packages/keyward/src/config/defaults.ts';

const SETTINGS: RateDetectorSettings = DEFAULT_CONFIG.alerts;
const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);
const MINUTE = 60_000;
const DAY = 86_400_000;

const granted = (at: number, clientId = 'c1', extra: Partial<AuditEvent> = {}): AuditEvent => ({ time: new Date(at), type: 'token.granted', clientId, keyThumbprint: 'tp1', sourceAddress: '192.0.2.7', ...extra });
const refused = (at: number, reason: string, extra: Partial<AuditEvent> = {}): AuditEvent => ({ time: new Date(at), type: 'token.refused', reason, ...extra });

/** Feeds `perMinute` grants in each of `minutes` minutes from `start`; answers every draft. */
function feed(detector: ReturnType<typeof createRateDetector>, start: number, minutes: number, perMinute: number, clientId = 'c1') {
  const drafts: AlertDraft[] = [];
  for (let m = 0; m < minutes; m += 1) {
    for (let i = 0; i < perMinute; i += 1) drafts.push(...detector.observe(granted(start + m * MINUTE + Math.floor((i * MINUTE) / perMinute), clientId)));
  }
  return drafts;
}

test('issuance_spike: ten times the baseline and at least the minimum, once per client and minute', () => {
  const detector = createRateDetector(SETTINGS);
  for (let i = 0; i < 5; i += 1) assert.deepEqual(detector.observe(granted(T0 + 30_000 + i * 1000)), [], 'a first, partial minute starts nothing');
  assert.deepEqual(feed(detector, T0 + MINUTE, 3, 12), [], 'a steady 12 a minute');
  const drafts = feed(detector, T0 + 4 * MINUTE, 1, 150);
  assert.equal(drafts.length, 1);
  const [spike] = drafts;
  assert.equal(spike!.kind, 'issuance_spike');
  assert.equal(spike!.clientId, 'c1');
  assert.equal(spike!.keyThumbprint, 'tp1');
  assert.equal(spike!.observed, 121, 'raised when the count first passes 10 x 12');
  assert.equal(spike!.expected, 12);
  assert.equal(spike!.windowStart.getTime(), T0 + 4 * MINUTE);
  assert.equal(spike!.windowEnd.getTime(), T0 + 5 * MINUTE);
});

test('issuance_spike: a steady busy client and a small client growing tenfold raise nothing', () => {
  const busy = createRateDetector(SETTINGS);
  assert.deepEqual(feed(busy, T0 + 10_000, 10, 400), [], 'a steady 400 a minute from its first minute');
  const small = createRateDetector(SETTINGS);
  feed(small, T0, 5, 2);
  assert.deepEqual(feed(small, T0 + 5 * MINUTE, 1, 60), [], 'under the minimum of 100');
});

test('issuance_spike: the factor and the minimum are settings', () => {
  const detector = createRateDetector({ ...SETTINGS, issuanceSpikeFactor: 2, issuanceSpikeMinimum: 10 });
  feed(detector, T0, 4, 10);
  const drafts = feed(detector, T0 + 4 * MINUTE, 1, 25);
  assert.equal(drafts.length, 1);
  assert.equal(drafts[0]!.observed, 21);
});

test('replay_burst: five replays in a minute for one client, and from one source address', () => {
  const detector = createRateDetector(SETTINGS);
  const drafts: AlertDraft[] = [];
  for (let i = 0; i < 5; i += 1) drafts.push(...detector.observe(refused(T0 + i * 5000, 'jti_replayed', { clientId: 'c1', sourceAddress: `198.51.100.${i}` })));
  assert.deepEqual(drafts.map((d) => [d.kind, d.clientId, d.source]), [['replay_burst', 'c1', undefined]]);
  assert.equal(drafts[0]!.observed, 5);
  assert.equal(drafts[0]!.firstEventAt.getTime(), T0);

  const fromOne = createRateDetector(SETTINGS);
  const bySource: AlertDraft[] = [];
  for (let i = 0; i < 5; i += 1) bySource.push(...fromOne.observe(refused(T0 + i * 1000, 'jti_replayed', { clientId: `c${i}`, sourceAddress: '203.0.113.9' })));
  assert.deepEqual(bySource.map((d) => [d.kind, d.source]), [['replay_burst', '203.0.113.9']]);
});

test('replay_burst: four replays, or five spread over more than the window, raise nothing', () => {
  const detector = createRateDetector(SETTINGS);
  const drafts: AlertDraft[] = [];
  for (let i = 0; i < 4; i += 1) drafts.push(...detector.observe(refused(T0 + i * 1000, 'jti_replayed', { clientId: 'c1' })));
  drafts.push(...detector.observe(refused(T0 + 61_000, 'jti_replayed', { clientId: 'c1' })));
  assert.equal(drafts.length, 0);
  for (let i = 0; i < 10; i += 1) drafts.push(...detector.observe(refused(T0 + 100_000 + i * 16_000, 'jti_replayed', { clientId: 'c2' })));
  assert.deepEqual(drafts, [], 'a replay every 16 s never has 5 within 60 s');
});

test('signature_failures: 20 bad signatures or unknown kids in 5 minutes; 19 raise nothing; other refusals do not count', () => {
  const detector = createRateDetector(SETTINGS);
  const drafts: AlertDraft[] = [];
  for (let i = 0; i < 19; i += 1) drafts.push(...detector.observe(refused(T0 + i * 10_000, i % 2 === 0 ? 'signature_invalid' : 'kid_unknown', { clientId: 'c1' })));
  for (let i = 0; i < 30; i += 1) drafts.push(...detector.observe(refused(T0 + i * 1000, 'assertion_expired', { clientId: 'c1' })));
  assert.equal(drafts.length, 0);
  drafts.push(...detector.observe(refused(T0 + 200_000, 'signature_invalid', { clientId: 'c1' })));
  assert.equal(drafts.length, 1);
  assert.equal(drafts[0]!.kind, 'signature_failures');
  assert.equal(drafts[0]!.observed, 20);
  assert.equal(drafts[0]!.expected, 19);
});

test('legacy_audience: once per client per day', () => {
  const detector = createRateDetector(SETTINGS);
  const legacy = (at: number) => granted(at, 'old', { details: { legacy_audience: true, aud: 'https://as/token' } });
  const drafts = [...detector.observe(legacy(T0)), ...detector.observe(legacy(T0 + 1000)), ...detector.observe(legacy(T0 + 3600_000))];
  assert.deepEqual(drafts.map((d) => d.kind), ['legacy_audience']);
  assert.deepEqual(detector.observe(granted(T0 + 2000, 'new')), [], 'a strict-audience grant');
  assert.equal(detector.observe(legacy(T0 + DAY)).length, 1, 'the next day');
  assert.deepEqual(createRateDetector({ ...SETTINGS, legacyAudience: false }).observe(legacy(T0)), [], 'turned off');
});

test('memory: the detector tracks at most maxTrackedClients clients and source addresses', () => {
  const detector = createRateDetector({ ...SETTINGS, maxTrackedClients: 100 });
  for (let i = 0; i < 1000; i += 1) {
    detector.observe(granted(T0 + i, `client-${i}`));
    detector.observe(refused(T0 + i, 'jti_replayed', { clientId: `made-up-${i}`, sourceAddress: `10.0.${i >> 8}.${i & 255}` }));
  }
  assert.deepEqual(detector.tracked(), { clients: 100, sources: 100 });
  const map = new BoundedMap<string, number>(2);
  map.use('a', () => 1);
  map.use('b', () => 2);
  map.use('a', () => 9);
  map.use('c', () => 3);
  assert.equal(map.use('a', () => 0), 1, 'a was used last, so b went first');
  assert.equal(map.use('b', () => 7), 7, 'b was forgotten');
});

test('sourceNetworkOf: /24 for IPv4 (also IPv4-mapped), /48 for IPv6, nothing for anything else', () => {
  assert.equal(sourceNetworkOf('192.0.2.77'), '192.0.2.0/24');
  assert.equal(sourceNetworkOf('::ffff:192.0.2.77'), '192.0.2.0/24');
  assert.equal(sourceNetworkOf('2001:db8:1:2::5'), '2001:db8:1::/48');
  assert.equal(sourceNetworkOf('2001:0db8:0001:ffff:0:0:0:1'), '2001:db8:1::/48');
  assert.equal(sourceNetworkOf('::1'), '0:0:0::/48');
  assert.equal(sourceNetworkOf(undefined), undefined);
  assert.equal(sourceNetworkOf('not an address'), undefined);
});

test('alert ids: the same kind and subject and window give the same id on every node', () => {
  assert.equal(alertIdOf({ kind: 'replay_burst', dedupKey: 'client|c1|7' }), alertIdOf({ kind: 'replay_burst', dedupKey: 'client|c1|7' }));
  assert.notEqual(alertIdOf({ kind: 'replay_burst', dedupKey: 'client|c1|7' }), alertIdOf({ kind: 'replay_burst', dedupKey: 'client|c1|8' }));
  assert.notEqual(alertIdOf({ kind: 'replay_burst', dedupKey: 'x' }), alertIdOf({ kind: 'key_age', dedupKey: 'x' }));
  assert.match(alertIdOf({ kind: 'key_age', dedupKey: 'x' }), /^alert_[A-Za-z0-9_-]{22}$/);
});

const key = (thumbprint: string, extra: Partial<ClientKeyRecord> = {}): ClientKeyRecord => ({
  clientId: 'c1', kid: thumbprint, thumbprint, jwk: { kty: 'OKP', crv: 'Ed25519', x: thumbprint } as ClientKeyRecord['jwk'], state: 'active', createdAt: new Date(T0 - 10 * DAY), ...extra,
});

test('key_expiring: a key that ends within 14 days with no successor; a rotation announced in advance raises nothing', () => {
  const settings = { keyExpiringDays: 14, keyMaxAgeDays: 0 };
  const now = new Date(T0);
  const lone = judgeKeys([key('a', { notAfter: new Date(T0 + 10 * DAY) })], settings, now);
  assert.deepEqual(lone.map((d) => [d.kind, d.keyThumbprint, d.observed, d.expected]), [['key_expiring', 'a', 10, 14]]);
  assert.deepEqual(judgeKeys([key('a', { notAfter: new Date(T0 + 20 * DAY) })], settings, now), [], 'ends after the 14 days');
  const rotation = [key('old', { state: 'retiring', retireAt: new Date(T0 + 2 * DAY) }), key('new')];
  assert.deepEqual(judgeKeys(rotation, settings, now), [], 'the new key outlives the retiring one');
  const retiringAlone = judgeKeys([key('old', { state: 'retiring', retireAt: new Date(T0 + 2 * DAY) })], settings, now);
  assert.equal(retiringAlone[0]?.kind, 'key_expiring', 'retiring with nothing after it');
  assert.deepEqual(judgeKeys([key('a', { notAfter: new Date(T0 + DAY) })], { keyExpiringDays: 0, keyMaxAgeDays: 0 }, now), [], 'turned off');
});

test('key_age: a key older than keys.maxAge; younger ones and maxAge 0 raise nothing', () => {
  const now = new Date(T0);
  const old = key('a', { createdAt: new Date(T0 - 100 * DAY) });
  assert.deepEqual(judgeKeys([old, key('b')], { keyExpiringDays: 0, keyMaxAgeDays: 90 }, now).map((d) => [d.kind, d.keyThumbprint, d.observed]), [['key_age', 'a', 100]]);
  assert.deepEqual(judgeKeys([old], { keyExpiringDays: 0, keyMaxAgeDays: 0 }, now), []);
});
