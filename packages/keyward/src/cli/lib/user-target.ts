/**
 * The end-user operations of `keyward users`, on the local data directory (through the registry
 * service, actor `cli`) or on a running server's admin API (`--server` ...), with one interface
 * whose answers are the admin API's wire views, so `--json` output is the same either way.
 */
import { resolveIssuer } from '../../config/resolve-issuer.ts';
import {
  createPasskeyEnrolment, createRegistryContext, createUser, deleteUser, getUserOrFail, passkeyEnrolmentUrl, setUserPassword, setUserStatus, toUserView, updateUser,
} from '../../server/services/registry/index.ts';
import { withConfiguredStore } from '../../server/open-configured-store.ts';
import { openRemoteAdminCall, toCliError, type TargetOptions, type Wire } from './remote-admin.ts';

/** Create fields, wire names (as POST /admin/v1/users). */
export interface CreateUserFields { username: string; name?: string; email?: string; password?: string; require_passkey?: boolean }

/** Update fields, wire names (as PATCH /admin/v1/users/{user}); null clears. */
export type UpdateUserFields = Partial<{ username: string; name: string | null; email: string | null; require_passkey: boolean; status: 'active' | 'disabled' }>;

/** The user operations, local or remote; `user` is a sub or a username. */
export interface UserTarget {
  list(limit: number): Promise<Wire[]>;
  get(user: string): Promise<Wire>;
  create(fields: CreateUserFields): Promise<Wire>;
  update(user: string, fields: UpdateUserFields): Promise<Wire>;
  remove(user: string): Promise<Wire>;
  setPassword(user: string, password: string): Promise<Wire>;
  /** A single-use passkey enrolment link (as POST /admin/v1/users/{user}/passkey-link). */
  createPasskeyLink(user: string): Promise<Wire>;
}

/** Runs `work` against the local data directory or the remote server named in `options`. */
export async function withUserTarget<T>(options: TargetOptions, work: (target: UserTarget) => Promise<T>): Promise<T> {
  if (options.server !== undefined || options.adminConfig !== undefined) {
    const call = await openRemoteAdminCall(options);
    const id = (user: string) => encodeURIComponent(user);
    return work({
      list: async (limit) => (await call('GET', `/users?limit=${limit}`)).users as Wire[],
      get: (user) => call('GET', `/users/${id(user)}`),
      create: (fields) => call('POST', '/users', fields),
      update: (user, fields) => call('PATCH', `/users/${id(user)}`, fields),
      remove: (user) => call('DELETE', `/users/${id(user)}`),
      setPassword: (user, password) => call('POST', `/users/${id(user)}/password`, { password }),
      createPasskeyLink: (user) => call('POST', `/users/${id(user)}/passkey-link`),
    });
  }
  return withConfiguredStore(options, async (store, config) => {
    const ctx = createRegistryContext(store);
    const actor = 'cli';
    const view = (user: Parameters<typeof toUserView>[0]) => toUserView(user) as unknown as Wire;
    const target: UserTarget = {
      async list(limit) {
        return (await store.users.listUsers({ limit })).map(view);
      },
      async get(user) {
        return view(await getUserOrFail(ctx, user));
      },
      async create(f) {
        return view(await createUser(ctx, {
          actor, username: f.username, ...(f.name !== undefined ? { name: f.name } : {}), ...(f.email !== undefined ? { email: f.email } : {}),
          ...(f.password !== undefined ? { password: f.password } : {}), ...(f.require_passkey !== undefined ? { requirePasskey: f.require_passkey } : {}),
        }));
      },
      async update(user, f) {
        const { status, ...fields } = f;
        let record = await getUserOrFail(ctx, user);
        if (Object.keys(fields).length > 0) {
          record = await updateUser(ctx, record.sub, {
            ...(fields.username !== undefined ? { username: fields.username } : {}), ...(fields.name !== undefined ? { name: fields.name } : {}),
            ...(fields.email !== undefined ? { email: fields.email } : {}), ...(fields.require_passkey !== undefined ? { requirePasskey: fields.require_passkey } : {}),
          }, actor);
        }
        if (status === undefined || status === record.status) return view(record);
        const changed = await setUserStatus(ctx, record.sub, status, actor);
        return { ...view(changed.user), ...(status === 'disabled' ? { sessions_ended: changed.sessionsEnded } : {}) };
      },
      async remove(user) {
        const record = await getUserOrFail(ctx, user);
        await deleteUser(ctx, record.sub, actor);
        return { deleted: true, sub: record.sub };
      },
      async setPassword(user, password) {
        const { user: record, sessionsEnded } = await setUserPassword(ctx, user, password, actor);
        return { ...view(record), sessions_ended: sessionsEnded };
      },
      async createPasskeyLink(user) {
        // The same answer as the admin API; the link uses this configuration's issuer (server.issuer, else host and port).
        const { user: record, token, expiresAt } = await createPasskeyEnrolment(ctx, user, { lifetimeSeconds: config.signIn.passkeyEnrolmentSeconds, actor });
        return { sub: record.sub, username: record.username, enrolment_url: passkeyEnrolmentUrl(resolveIssuer(config, config.server.port), token), expires_at: expiresAt.toISOString() };
      },
    };
    try {
      return await work(target);
    } catch (error) {
      throw toCliError(error);
    }
  });
}
