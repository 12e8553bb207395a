/**
 * The reader that applies a body schema of the admin API. The schemas themselves are the registry's
 * wire schemas (services/registry/wire-schemas.ts), from which the OpenAPI document is generated.
 */
import type { z } from 'zod';
import { OAuthError } from '@keyward/core';
import { readContextBody, type RequestContext } from '../../middleware/read-body.ts';

/**
 * Reads the JSON body of the request of `c` (at most `maxBytes`, through the shared body reader)
 * and checks it with `schema`. Throws OAuthError 'body_too_large' / 'content_type_unsupported' /
 * 'request_malformed', SyntaxError for bad JSON, ZodError for a bad shape. The admin token is
 * checked before (admin-app.ts middleware), so an unauthenticated body is never read.
 */
export async function readJsonBody<T extends z.ZodType>(c: RequestContext, schema: T, maxBytes: number): Promise<z.infer<T>> {
  const type = (c.req.raw.headers.get('content-type') ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new OAuthError('content_type_unsupported', { detail: 'send the body as application/json', description: 'the body must be application/json' });
  const text = await readContextBody(c, maxBytes);
  return schema.parse(JSON.parse(text)) as z.infer<T>;
}
