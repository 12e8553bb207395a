// GET /metrics as an operator's Prometheus reads it: standard Node metric names, known label values
// at zero from the first scrape, the build info, the audit-write failure counter; and the shipped
// alerting rules (docs/prometheus/keyward-rules.yml) name only metrics the server exports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { REASON_CODES } from '../../packages/core/src/errors.ts';
import { createAuditWriter } from '../../packages/keyward/src/server/services/audit-writer.ts';
import { createMetrics } from '../../packages/keyward/src/server/services/metrics/create-metrics.ts';
import { startTestServer } from './helpers.ts';

const ROOT = new URL('../../', import.meta.url);

/** The metric families of a text exposition: every `# TYPE name type` line. */
function families(text: string): Map<string, string> {
  return new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
}

test('Node default metrics keep their standard names; keyward_build_info carries the package version', async () => {
  const server = await startTestServer();
  try {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const names = families(text);
    for (const name of ['process_resident_memory_bytes', 'process_cpu_seconds_total', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_p99_seconds']) assert.ok(names.has(name), `${name} is exported`);
    assert.ok(![...names.keys()].some((name) => name.startsWith('keyward_process_') || name.startsWith('keyward_nodejs_')), 'no prefixed copies of the default metrics');
    const version = (JSON.parse(readFileSync(new URL('packages/keyward/package.json', ROOT), 'utf8')) as { version: string }).version;
    assert.match(text, new RegExp(`^keyward_build_info\\{version="${version.replaceAll('.', '\\.')}"\\} 1$`, 'm'));
  } finally {
    await server.stop();
  }
});

test('labelled counters start at zero for every known label value, before any request', async () => {
  const text = await createMetrics({ processMetrics: false }).render();
  assert.match(text, /^keyward_token_requests_total\{outcome="granted",reason=""\} 0$/m);
  for (const reason of REASON_CODES) assert.match(text, new RegExp(`^keyward_token_requests_total\\{outcome="refused",reason="${reason}"\\} 0$`, 'm'), reason);
  for (const limit of ['source_address', 'client']) assert.match(text, new RegExp(`^keyward_rate_limited_total\\{limit="${limit}"\\} 0$`, 'm'));
  for (const operation of ['token', 'maintenance']) assert.match(text, new RegExp(`^keyward_store_errors_total\\{operation="${operation}"\\} 0$`, 'm'));
  assert.match(text, /^keyward_audit_write_failures_total 0$/m);
});

test('an audit event the store refuses is counted in keyward_audit_write_failures_total', async () => {
  const metrics = createMetrics({ processMetrics: false });
  const failing = { appendAudit: () => Promise.reject(new Error('disk full')), queryAudit: () => Promise.resolve([]), purgeAuditBefore: () => Promise.resolve(0) };
  const silent = { error: () => undefined } as unknown as Parameters<typeof createAuditWriter>[1];
  const writer = createAuditWriter(failing, silent, { flushDelayMs: 0, onFailure: () => metrics.recordAuditWriteFailures(1) });
  writer.write({ time: new Date(), type: 'token.granted' });
  writer.write({ time: new Date(), type: 'token.granted' });
  await writer.flush();
  assert.match(await metrics.render(), /^keyward_audit_write_failures_total 2$/m);
});

test('docs/prometheus/keyward-rules.yml parses, and every metric its expressions name is exported by the server', async () => {
  const rules = yaml.load(readFileSync(new URL('docs/prometheus/keyward-rules.yml', ROOT), 'utf8')) as { groups: Array<{ name: string; rules: Array<{ alert?: string; expr: string }> }> };
  const all = rules.groups.flatMap((group) => group.rules);
  assert.ok(all.length >= 8, 'the rules file has its alerts');
  const server = await startTestServer();
  try {
    const exported = families(await (await fetch(`${server.url}/metrics`)).text());
    for (const rule of all) {
      assert.ok(typeof rule.alert === 'string' && typeof rule.expr === 'string', 'every rule is an alert with an expression');
      const named = [...rule.expr.matchAll(/\b((?:keyward|process|nodejs)_[a-z0-9_]+)/g)].map((m) => m[1]!);
      assert.ok(named.length > 0, `${rule.alert} names a metric`);
      for (const sample of named) {
        // A histogram's samples are its family name plus _bucket, _sum or _count.
        const family = exported.has(sample) ? sample : sample.replace(/_(bucket|sum|count)$/, '');
        assert.ok(exported.has(family), `${rule.alert}: ${sample} is not a metric the server exports`);
      }
    }
  } finally {
    await server.stop();
  }
});
