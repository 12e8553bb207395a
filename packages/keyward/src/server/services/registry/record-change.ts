/**
 * The audit event of one registry change: who (actor), what (type), before/after, when. Written
 * straight to the store (not queued) so that `keyward audit` sees it as soon as the command ends.
 */
import type { ClientKeyRecord, ClientRecord, UserRecord } from '../../../store/contract.ts';
import { toUserView } from './user-views.ts';
import type { RegistryContext } from './registry-context.ts';
import { toClientView, toKeyView } from './views.ts';

type Snapshot = ClientRecord | ClientKeyRecord | UserRecord | Record<string, unknown> | undefined;

function view(value: Snapshot): unknown {
  if (value === undefined) return undefined;
  if ('thumbprint' in value && 'jwk' in value) return toKeyView(value as ClientKeyRecord);
  if ('clientId' in value && 'grantTypes' in value) return toClientView(value as ClientRecord);
  // A user's view never carries the password hash.
  if ('sub' in value && 'username' in value) return toUserView(value as UserRecord);
  return value;
}

/**
 * Appends the audit event of a change (with the request id and source address of `ctx.request`, when
 * the change came through a request) and publishes it on the change feed. Never records secrets
 * (hashes are dropped).
 */
export async function recordChange(ctx: RegistryContext, event: {
  type: string;
  actor: string;
  clientId?: string;
  keyThumbprint?: string;
  /** The end user changed (kept in `details.sub`). */
  sub?: string;
  before?: Snapshot;
  after?: Snapshot;
  details?: Record<string, unknown>;
}): Promise<void> {
  await ctx.store.audit.appendAudit({
    time: new Date(ctx.clock()),
    type: event.type,
    actor: event.actor,
    ...(ctx.request?.requestId !== undefined ? { requestId: ctx.request.requestId } : {}),
    ...(ctx.request?.sourceAddress !== undefined ? { sourceAddress: ctx.request.sourceAddress } : {}),
    ...(event.clientId ? { clientId: event.clientId } : {}),
    ...(event.keyThumbprint ? { keyThumbprint: event.keyThumbprint } : {}),
    details: {
      ...(event.sub !== undefined ? { sub: event.sub } : {}),
      ...(event.before !== undefined ? { before: view(event.before) } : {}),
      ...(event.after !== undefined ? { after: view(event.after) } : {}),
      ...event.details,
    },
  });
  if (event.clientId) ctx.changes.publish({ type: 'client', clientId: event.clientId });
}
