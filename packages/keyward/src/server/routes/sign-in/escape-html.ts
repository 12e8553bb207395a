/**
 * HTML escaping for the sign-in pages: every value a page shows (a username typed by anyone, a
 * return_to, a user's name) goes through this one function, in element text and in quoted attribute
 * values alike (OWASP XSS Prevention, rules 1 and 2).
 */

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** `value` with `& < > " ' \`` replaced by character references. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => ENTITIES[c]!);
}
