/**
 * zod schemas of the /admin/v1/users bodies (unknown fields refused). The field rules themselves
 * (username, name, email, password) live once in services/registry/validate-user-fields.ts; these
 * schemas only check the shape. user-openapi.ts describes the same shapes.
 */
import { z } from 'zod';

/** POST /users. */
export const createUserBody = z.strictObject({
  username: z.string(),
  name: z.string().optional(),
  email: z.string().optional(),
  /** Optional: without one the user cannot sign in with a password until one is set. */
  password: z.string().optional(),
  require_passkey: z.boolean().optional(),
});

/** PATCH /users/{user}; `null` clears an optional field. */
export const updateUserBody = z.strictObject({
  username: z.string().optional(),
  name: z.string().nullable().optional(),
  email: z.string().nullable().optional(),
  require_passkey: z.boolean().optional(),
  status: z.enum(['active', 'disabled']).optional(),
});

/** POST /users/{user}/password. */
export const setPasswordBody = z.strictObject({
  password: z.string(),
});
