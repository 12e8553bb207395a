/**
 * Writes an RFC 6750 refusal on a node:http-style response (node:http, Express).
 */
import type { BearerChallenge } from '../errors.ts';

/** The part of `http.ServerResponse` the adapters use. */
export interface NodeResponseLike {
  statusCode: number;
  setHeader(name: string, value: string | number | readonly string[]): unknown;
  end(chunk?: string): unknown;
  readonly headersSent?: boolean;
}

/** The part of `http.IncomingMessage` the adapters use. */
export interface NodeRequestLike {
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Node keeps only the first Authorization header in `headers`; rawHeaders shows every one. */
  readonly rawHeaders?: readonly string[];
  readonly url?: string;
}

/**
 * The Authorization header(s) of a node request, every occurrence kept (node:http drops duplicate
 * Authorization headers from `req.headers`, so `rawHeaders` is read when present).
 */
export function readNodeAuthorization(req: NodeRequestLike): Record<string, string | string[] | undefined> {
  if (req.rawHeaders === undefined) return { authorization: req.headers.authorization as string | string[] | undefined };
  const values: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    if ((req.rawHeaders[i] as string).toLowerCase() === 'authorization') values.push(req.rawHeaders[i + 1] as string);
  }
  return { authorization: values.length === 0 ? undefined : values.length === 1 ? values[0] : values };
}

/** Sends status, WWW-Authenticate, no-store and the JSON body of a refusal. */
export function sendNodeChallenge(res: NodeResponseLike, challenge: BearerChallenge): void {
  if (res.headersSent === true) return;
  res.statusCode = challenge.status;
  if (challenge.wwwAuthenticate !== undefined) res.setHeader('www-authenticate', challenge.wwwAuthenticate);
  res.setHeader('cache-control', 'no-store');
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(challenge.body));
}
