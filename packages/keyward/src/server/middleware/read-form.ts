/**
 * Reads an `application/x-www-form-urlencoded` body (RFC 6749 §3.2, Appendix B) with a size cap,
 * and refuses repeated parameters (RFC 6749 §3.2: "Request and response parameters MUST NOT be
 * included more than once").
 */
import { OAuthError } from '@keyward/core';
import { readBodyText, type ReadBodyOptions } from './read-body.ts';

/** Options of {@link readForm}: the body reader's (cap, node:http request) plus the repeatable parameters. */
export interface ReadFormOptions extends ReadBodyOptions {
  /** Parameters that may repeat (RFC 8707 §2: `resource`). */
  readonly repeatable?: ReadonlySet<string>;
}

/** A parsed form: single values, plus the repeatable parameters as lists. */
export interface FormParameters {
  /** The value of a parameter; empty values count as absent (RFC 6749 §3.1). */
  get(name: string): string | undefined;
  /** Every value of a repeatable parameter. */
  getAll(name: string): string[];
  has(name: string): boolean;
}

/**
 * Reads and parses the body of `request`. Throws OAuthError 'content_type_unsupported' (not a form),
 * 'body_too_large' (over maxBytes, by Content-Length or while streaming), 'parameter_repeated',
 * 'request_malformed' (not UTF-8, or cut off): the body is read by read-body.ts.
 *
 * Does NOT check which parameters are present: the endpoint does.
 */
export async function readForm(request: Request, options: ReadFormOptions): Promise<FormParameters> {
  // RFC 6749 §3.2: the token endpoint takes application/x-www-form-urlencoded.
  const type = (request.headers.get('content-type') ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new OAuthError('content_type_unsupported', { detail: `Content-Type is ${type === '' ? 'missing' : JSON.stringify(type)}: send the parameters as application/x-www-form-urlencoded` });
  }
  const text = await readBodyText(request, options);
  const values = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(text)) {
    const list = values.get(name);
    if (list === undefined) values.set(name, [value]);
    else if (options.repeatable?.has(name)) list.push(value);
    else throw new OAuthError('parameter_repeated', { detail: `the parameter "${name.slice(0, 64)}" was sent more than once: send each parameter once (RFC 6749 §3.2)` });
  }
  return {
    get(name) {
      const value = values.get(name)?.[0];
      return value === undefined || value === '' ? undefined : value;
    },
    getAll(name) {
      return (values.get(name) ?? []).filter((value) => value !== '');
    },
    has(name) {
      return (values.get(name) ?? []).some((value) => value !== '');
    },
  };
}
