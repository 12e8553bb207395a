/**
 * Test helpers for the sign-in pages: a browser-like cookie jar over fetch (no redirects followed),
 * reading the CSRF token of a page, and signing in.
 */
import assert from 'node:assert/strict';

/** A browser's cookies for one server (name → value); Max-Age=0 deletes. */
export class CookieJar {
  readonly cookies = new Map<string, string>();
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';', 1);
      const index = pair!.indexOf('=');
      const name = pair!.slice(0, index);
      if (/;\s*Max-Age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, pair!.slice(index + 1));
    }
  }
}

/** A page fetched with the jar's cookies; the jar takes the answer's cookies. */
export async function browse(jar: CookieJar, url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<{ response: Response; text: string }> {
  const response = await fetch(url, {
    method: init.method ?? (init.form ? 'POST' : 'GET'),
    redirect: 'manual',
    headers: { ...(jar.cookies.size ? { cookie: jar.header() } : {}), ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
  });
  jar.take(response);
  return { response, text: await response.text() };
}

/** The CSRF token of a page's form. */
export function csrfOf(html: string): string {
  const match = /name="csrf_token" value="([^"]+)"/.exec(html);
  assert.ok(match, 'the page has a CSRF token');
  return match[1]!;
}

/** Opens the sign-in page and posts the form; returns the answer to the POST. */
export async function signIn(base: string, jar: CookieJar, username: string, password: string, returnTo?: string): Promise<{ response: Response; text: string }> {
  const page = await browse(jar, `${base}/sign-in${returnTo === undefined ? '' : `?return_to=${encodeURIComponent(returnTo)}`}`);
  return browse(jar, `${base}/sign-in`, { form: { csrf_token: csrfOf(page.text), username, password, ...(returnTo === undefined ? {} : { return_to: returnTo }) } });
}
