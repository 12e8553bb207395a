// docs/reason-codes.md and the REASONS list in src/core/errors.ts stay in step: one `### code`
// heading per reason code, no more, no less, each section giving the code's wire error, HTTP
// status and RFC clause exactly as the code has them, plus "When" and "What to do".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { REASONS, REASON_CODES, type ReasonCode } from '../../packages/core/src/errors.ts';

const doc = readFileSync(new URL('../../docs/reason-codes.md', import.meta.url), 'utf8');

/** The `### code` sections of the page, in order, with their text up to the next heading. */
function sections(): { code: string; body: string }[] {
  const out: { code: string; body: string }[] = [];
  const parts = doc.split(/^### /m).slice(1);
  for (const part of parts) {
    const newline = part.indexOf('\n');
    const code = part.slice(0, newline).trim();
    const body = part.slice(newline).split(/^#{1,3} /m)[0] ?? '';
    out.push({ code, body });
  }
  return out;
}

test('docs/reason-codes.md has exactly one `### code` heading per code in REASONS', () => {
  const documented = sections().map((s) => s.code);
  const duplicates = documented.filter((code, i) => documented.indexOf(code) !== i);
  assert.deepEqual(duplicates, [], 'a code is documented twice');
  const missing = REASON_CODES.filter((code) => !documented.includes(code));
  assert.deepEqual(missing, [], 'codes in src/core/errors.ts missing from docs/reason-codes.md');
  const extra = documented.filter((code) => !(REASON_CODES as string[]).includes(code));
  assert.deepEqual(extra, [], 'headings in docs/reason-codes.md that are not reason codes');
});

test('each documented code gives its wire error, HTTP status and RFC clause as in the code, and when/what to do', () => {
  for (const { code, body } of sections()) {
    if (!(REASON_CODES as string[]).includes(code)) continue;
    const spec = REASONS[code as ReasonCode];
    assert.ok(body.includes(`**Wire:** \`${spec.error}\`, HTTP ${spec.status}`), `${code}: wire error ${spec.error} / HTTP ${spec.status}`);
    assert.ok(body.includes(`**Rule:** ${spec.rfc}`), `${code}: rule "${spec.rfc}"`);
    assert.match(body, /\*\*When:\*\* \S/, `${code}: when it happens`);
    assert.match(body, /\*\*What to do:\*\* \S/, `${code}: what an honest client should do`);
  }
});

test('every code sits under a group heading (## ...)', () => {
  const firstGroup = doc.search(/^## /m);
  const firstCode = doc.search(/^### /m);
  assert.ok(firstGroup !== -1 && firstGroup < firstCode);
});
