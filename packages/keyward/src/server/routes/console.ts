/**
 * GET /console/: the admin web console (the files of the repository's `console/` folder), static
 * pages that call only the admin API. Served with a Content-Security-Policy that allows this
 * origin's own script, style and requests and nothing else (no inline script, no framing, no other
 * host), so that even a registry value that slipped into the page as markup could not run.
 */
import { readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import type { Hono } from 'hono';
import type { ServerContext } from '../context.ts';
import { packageRoot } from '../../package-files.ts';

/** Where the console is served (a trailing slash: its pages load their files relative to it). */
export const CONSOLE_PATH = '/console/';

const CONSOLE_DIR = join(packageRoot(), 'console') + sep;

/** The files the console is made of, and nothing else (no directory listing, no path from the URL). */
const FILES: Readonly<Record<string, string>> = {
  '': 'text/html; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

/** The headers of every console answer. */
export const CONSOLE_HEADERS: Readonly<Record<string, string>> = {
  // CSP Level 3: only this origin; no inline code, no plugins, no framing, forms post nowhere.
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cache-control': 'no-cache',
};

/**
 * Registers the console routes when `console.enabled` (the default). The files are read once, at
 * start; a missing file stops the start with its path (a broken install), never a 500 per request.
 * Does NOT authenticate anything: the pages are public, every action they take goes through the
 * admin API, which requires an access token of scope keyward:admin.
 */
export function registerConsoleRoutes(app: Hono, ctx: ServerContext): void {
  if (!ctx.config.console.enabled) return;
  const bodies = new Map<string, string>();
  for (const name of Object.keys(FILES)) bodies.set(name, readFileSync(`${CONSOLE_DIR}${name === '' ? 'index.html' : name}`, 'utf8'));
  app.get('/console', (c) => c.redirect(CONSOLE_PATH, 308));
  for (const [name, body] of bodies) {
    app.get(`${CONSOLE_PATH}${name}`, () => new Response(body, { headers: { ...CONSOLE_HEADERS, 'content-type': FILES[name]! } }));
  }
  app.get(`${CONSOLE_PATH}*`, () => Response.json({ error: 'not_found', error_description: `no such console file: open ${CONSOLE_PATH}` }, { status: 404, headers: CONSOLE_HEADERS }));
}
