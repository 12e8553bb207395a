/**
 * GET /console/ over real HTTP: the three console files with their types and the security headers
 * (CSP without inline code, no framing, nosniff), nothing else under /console/ (no path from the
 * URL reaches the disk), the page itself carrying no inline script or handler (so the CSP can forbid
 * them), the lists the script copies from the server (grant types, alert kinds and states) kept
 * equal to the server's, and `console.enabled: false` turning it off.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { startTestServer } from '../server/helpers.ts';
import { DEFAULT_CLIENT_GRANT_TYPES, KNOWN_GRANT_TYPES } from '../../packages/keyward/src/server/services/registry/index.ts';
import { ALERT_KINDS, ALERT_STATES } from '../../packages/keyward/src/store/contract.ts';

let server: Awaited<ReturnType<typeof startTestServer>>;
before(async () => { server = await startTestServer(); });
after(async () => { await server.stop(); });

/** A GET with the path sent exactly as written (fetch would normalize `..` away). */
function rawGet(url: string, path: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: 'GET', path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('GET /console/ serves the page, its script, its style and its icon, each with its type and the security headers', async () => {
  const expected: Array<[string, RegExp, string]> = [
    ['/console/', /^text\/html/, 'index.html'],
    ['/console/console.js', /^text\/javascript/, 'console.js'],
    ['/console/console.css', /^text\/css/, 'console.css'],
    ['/console/favicon.svg', /^image\/svg\+xml/, 'favicon.svg'],
  ];
  for (const [path, type, file] of expected) {
    const response = await fetch(`${server.url}${path}`);
    assert.equal(response.status, 200, path);
    assert.match(response.headers.get('content-type') ?? '', type, path);
    assert.equal(await response.text(), readFileSync(new URL(`../../packages/keyward/console/${file}`, import.meta.url), 'utf8'), path);
    const csp = response.headers.get('content-security-policy') ?? '';
    for (const directive of ["default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"]) {
      assert.ok(csp.includes(directive), `${path}: CSP has ${directive}`);
    }
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/, `${path}: no inline code, no eval, no wildcard`);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(response.headers.get('x-frame-options'), 'DENY');
    assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
  }
  const bare = await fetch(`${server.url}/console`, { redirect: 'manual' });
  assert.equal(bare.status, 308);
  assert.equal(bare.headers.get('location'), '/console/');
});

test('nothing but the console files is served under /console/: other names and traversal attempts are 404', async () => {
  for (const path of ['/console/index.html.bak', '/console/../package.json', '/console/..%2fpackage.json', '/console/%2e%2e/%2e%2e/package.json', '/console/console.js/', '/console//etc/passwd']) {
    const answer = await rawGet(server.url, path);
    assert.equal(answer.status, 404, path);
    assert.doesNotMatch(answer.body, /"name": "keyward"|root:/, path);
  }
});

test('the console page has no inline script, style or event handler (the CSP forbids them) and loads only its own files', () => {
  const html = readFileSync(new URL('../../packages/keyward/console/index.html', import.meta.url), 'utf8');
  for (const tag of html.match(/<script\b[^>]*>/g) ?? []) assert.match(tag, /\bsrc="console\.js"/, tag);
  assert.doesNotMatch(html, /<script\b[^>]*>\s*[^<\s]/, 'no inline script body');
  assert.doesNotMatch(html, /<style\b|\sstyle=|\son[a-z]+=/i, 'no inline style or on* handler');
  assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//, 'no file from another host');
  const script = readFileSync(new URL('../../packages/keyward/console/console.js', import.meta.url), 'utf8');
  assert.doesNotMatch(script, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/, 'server values are shown as text only');
  assert.doesNotMatch(script, /localStorage|sessionStorage|document\.cookie/, 'the token and key stay in memory');
});

test('the lists console.js copies (it is a static file and cannot import them) equal the server\'s: grant types, default grant types, alert kinds and states', () => {
  const script = readFileSync(new URL('../../packages/keyward/console/console.js', import.meta.url), 'utf8');
  const list = (name: string): string[] => {
    const match = new RegExp(`^const ${name} = \\[([^\\]]*)\\];`, 'm').exec(script);
    assert.ok(match, `console.js declares ${name}`);
    return [...match[1]!.matchAll(/'([^']*)'/g)].map((m) => m[1]!);
  };
  assert.deepEqual(list('GRANT_TYPES'), [...KNOWN_GRANT_TYPES]);
  assert.deepEqual(list('DEFAULT_GRANT_TYPES'), [...DEFAULT_CLIENT_GRANT_TYPES]);
  assert.deepEqual(list('ALERT_KINDS'), [...ALERT_KINDS]);
  assert.deepEqual(list('ALERT_STATES'), [...ALERT_STATES]);
});

test('console.enabled: false serves no console', async () => {
  const off = await startTestServer({ overrides: { console: { enabled: false } } });
  try {
    assert.equal((await fetch(`${off.url}/console/`)).status, 404);
    assert.equal((await fetch(`${off.url}/console/console.js`)).status, 404);
  } finally {
    await off.stop();
  }
});
