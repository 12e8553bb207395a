/**
 * /admin/v1/users: list, create, read, update (fields and status), delete, set password, create a
 * passkey enrolment link. Every
 * change goes through the registry service, audited with the admin client id as actor. `{user}` is
 * a sub or a username. No answer ever carries a password or its hash.
 */
import type { Hono } from 'hono';
import type { ServerContext } from '../../context.ts';
import { jsonNoStore } from '../../middleware/errors.ts';
import {
  createPasskeyEnrolment, createUser, deleteUser, getUserOrFail, passkeyEnrolmentUrl, setUserPassword, setUserStatus, toUserView, updateUser, type UserView,
} from '../../services/registry/index.ts';
import { readJsonBody } from './admin-schemas.ts';
import type { AdminEnv } from './admin-env.ts';
import { createUserBody, setPasswordBody, updateUserBody } from '../../services/registry/user-wire-schemas.ts';
import { registryFor } from '../registry-for.ts';

/** Registers the user routes on the admin sub-app. */
export function registerAdminUserRoutes(app: Hono<AdminEnv>, ctx: ServerContext): void {
  const maxBytes = Math.max(ctx.config.server.maxBodyBytes, 65536);

  app.get('/users', async (c) => {
    const limit = Math.min(1000, Math.max(1, Number(c.req.query('limit') ?? 100) || 100));
    const after = c.req.query('after');
    const users = await ctx.store.users.listUsers({ limit, ...(after ? { after } : {}) });
    return jsonNoStore({ users: users.map(toUserView), ...(users.length === limit ? { next_after: users.at(-1)!.username } : {}) });
  });

  app.post('/users', async (c) => {
    const body = await readJsonBody(c, createUserBody, maxBytes);
    const user = await createUser(registryFor(c, ctx), {
      actor: c.get('actor'),
      username: body.username,
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.email !== undefined ? { email: body.email } : {}),
      ...(body.password !== undefined ? { password: body.password } : {}),
      ...(body.require_passkey !== undefined ? { requirePasskey: body.require_passkey } : {}),
    });
    return jsonNoStore(toUserView(user), 201);
  });

  app.get('/users/:user', async (c) => jsonNoStore(toUserView(await getUserOrFail(registryFor(c, ctx), c.req.param('user')))));

  app.patch('/users/:user', async (c) => {
    const body = await readJsonBody(c, updateUserBody, maxBytes);
    const actor = c.get('actor');
    const { status, ...fields } = body;
    const registry = registryFor(c, ctx);
    let user = await getUserOrFail(registry, c.req.param('user'));
    if (Object.keys(fields).length > 0) {
      user = await updateUser(registry, user.sub, {
        ...(fields.username !== undefined ? { username: fields.username } : {}),
        ...(fields.name !== undefined ? { name: fields.name } : {}),
        ...(fields.email !== undefined ? { email: fields.email } : {}),
        ...(fields.require_passkey !== undefined ? { requirePasskey: fields.require_passkey } : {}),
      }, actor);
    }
    let view: UserView & { sessions_ended?: number } = toUserView(user);
    if (status !== undefined && status !== user.status) {
      const changed = await setUserStatus(registry, user.sub, status, actor);
      view = { ...toUserView(changed.user), ...(status === 'disabled' ? { sessions_ended: changed.sessionsEnded } : {}) };
    }
    return jsonNoStore(view);
  });

  app.delete('/users/:user', async (c) => {
    const registry = registryFor(c, ctx);
    const user = await getUserOrFail(registry, c.req.param('user'));
    await deleteUser(registry, user.sub, c.get('actor'));
    return jsonNoStore({ deleted: true, sub: user.sub });
  });

  app.post('/users/:user/passkey-link', async (c) => {
    const { user, token, expiresAt } = await createPasskeyEnrolment(registryFor(c, ctx), c.req.param('user'), { lifetimeSeconds: ctx.config.signIn.passkeyEnrolmentSeconds, actor: c.get('actor') });
    return jsonNoStore({ sub: user.sub, username: user.username, enrolment_url: passkeyEnrolmentUrl(ctx.issuer, token), expires_at: expiresAt.toISOString() }, 201);
  });

  app.post('/users/:user/password', async (c) => {
    const body = await readJsonBody(c, setPasswordBody, maxBytes);
    const { user, sessionsEnded } = await setUserPassword(registryFor(c, ctx), c.req.param('user'), body.password, c.get('actor'));
    return jsonNoStore({ ...toUserView(user), sessions_ended: sessionsEnded });
  });
}
