/**
 * zod schemas of the /admin/v1/users bodies (unknown fields refused), beside wire-schemas.ts: the
 * admin OpenAPI document's request bodies are generated from them. The field rules themselves
 * (username, name, email, password) live once in validate-user-fields.ts; these schemas check the
 * shape, and document the username rule from its own constant.
 */
import { z } from 'zod';
import { USERNAME } from './validate-user-fields.ts';

/** POST /users. */
export const createUserBody = z.strictObject({
  username: z.string().meta({ pattern: USERNAME.source }),
  name: z.string().optional(),
  email: z.string().optional(),
  /** Optional: without one the user cannot sign in with a password until one is set. */
  password: z.string().optional(),
  require_passkey: z.boolean().optional(),
});

/** PATCH /users/{user}; `null` clears an optional field. */
export const updateUserBody = z.strictObject({
  username: z.string().meta({ pattern: USERNAME.source }).optional(),
  name: z.string().nullable().optional(),
  email: z.string().nullable().optional(),
  require_passkey: z.boolean().optional(),
  status: z.enum(['active', 'disabled']).optional(),
});

/** POST /users/{user}/password. */
export const setPasswordBody = z.strictObject({
  password: z.string(),
});
