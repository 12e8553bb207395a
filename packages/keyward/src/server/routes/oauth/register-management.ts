/**
 * RFC 7592 client configuration endpoint: GET, PUT and DELETE /register/{client_id}, authenticated
 * with the registration access token returned at registration (stored as a SHA-256 hash, compared in
 * constant time). An unknown client and a wrong token answer the same 401 invalid_token
 * (RFC 7592 §2.1: "the server MUST respond with HTTP 401 Unauthorized").
 */
import { timingSafeEqual } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { OAuthError } from '@keyward/core';
import type { ClientRecord } from '../../../store/contract.ts';
import type { ServerContext } from '../../context.ts';
import { jsonNoStore } from '../../middleware/errors.ts';
import {
  addKeys, checkWithinRegistrationLimits, deleteClient, effectiveRegistrationLimits, hashSecret, revokeKey, updateClient,
} from '../../services/registry/index.ts';
import { readRequestBearer } from '../../services/authenticate-server-request.ts';
import { checkRegistrationRedirectUris, clientInformation, metadataError, readMetadataBody, registrationErrorResponse, validateClientMetadata, type RegistrationOptions } from './register.ts';
import { authorizationPolicyOf } from '../../services/registry/authorization-fields.ts';
import { registryFor } from '../registry-for.ts';

/**
 * The client `clientId` when `request` carries its registration access token; OAuthError
 * 'token_missing' / 'request_malformed' (readRequestBearer) / 'token_invalid' otherwise. Does NOT
 * reveal whether the client exists.
 */
export async function authenticateRegistration(ctx: ServerContext, clientId: string, request: Request): Promise<ClientRecord> {
  const token = readRequestBearer(request, 'send Authorization: Bearer <registration access token>');
  const client = await ctx.store.clients.getClient(clientId);
  const presented = Buffer.from(hashSecret(token));
  // Compare hashes of equal length in constant time; a missing client compares against itself and fails.
  const expected = Buffer.from(client?.registrationTokenHash ?? hashSecret(`\0no-client\0${token}`));
  const same = presented.length === expected.length && timingSafeEqual(presented, expected);
  if (client === undefined || client.registrationTokenHash === undefined || !same) {
    throw new OAuthError('token_invalid', { detail: 'the registration access token is not valid for this client' });
  }
  return client;
}

/** Registers GET, PUT and DELETE /register/:clientId. */
export function registerRegistrationManagementRoutes(app: Hono, ctx: ServerContext, options: RegistrationOptions = {}): void {
  const allowHosts = options.jwksUriAllowHosts ?? [];
  // Each method: the registration access token first (RFC 7592 §2), then the work; RFC 7591/7592 answers.
  const authenticated = (handle: (client: ClientRecord, c: Context) => Promise<Response>) => async (c: Context): Promise<Response> => {
    try {
      return await handle(await authenticateRegistration(ctx, c.req.param('clientId') ?? '', c.req.raw), c);
    } catch (error) {
      return registrationErrorResponse(ctx, error);
    }
  };

  app.get('/register/:clientId', authenticated(async (client) => jsonNoStore(clientInformation(ctx, client, await ctx.store.clients.listKeys(client.clientId)))));

  app.put('/register/:clientId', authenticated(async (client, c) => {
    const body = await readMetadataBody(ctx, c);
    // RFC 7592 §2.2: the body MUST include client_id, equal to the one in the URL.
    if ((body as { client_id?: unknown }).client_id !== client.clientId) throw metadataError('the body must carry client_id, equal to the client_id in the URL (RFC 7592 §2.2)');
    if ((body as Record<string, unknown>).registration_access_token !== undefined) throw metadataError('do not send registration_access_token in the body (RFC 7592 §2.2)');
    const metadata = validateClientMetadata(body);
    const actor = `registration:${client.clientId}`;
    const registry = registryFor(c, ctx);
    // RFC 7592 §2.2: the client replaces its metadata, within its registration limits; judged
    // before any key changes, so a refused update changes nothing.
    checkWithinRegistrationLimits(effectiveRegistrationLimits(client), metadata);
    checkRegistrationRedirectUris(ctx, metadata);
    const existing = await ctx.store.clients.listKeys(client.clientId);
    if (metadata.keys) {
      if (client.jwksUri) await updateClient(registry, client.clientId, { jwksUri: null }, actor, { selfService: true });
      const wanted = new Set(metadata.keys.map((k) => k.thumbprint));
      const fresh = metadata.keys.filter((k) => !existing.some((e) => e.thumbprint === k.thumbprint && e.state !== 'revoked'));
      if (fresh.length) await addKeys(registry, { clientId: client.clientId, keys: fresh, actor });
      // Keys left out of the new set are revoked (RFC 7592 §2.2: the PUT replaces the metadata).
      for (const key of existing) if (!wanted.has(key.thumbprint) && key.state !== 'revoked') await revokeKey(registry, { clientId: client.clientId, key: key.thumbprint, actor });
    } else if (metadata.jwksUri) {
      for (const key of existing) if (key.state !== 'revoked') await revokeKey(registry, { clientId: client.clientId, key: key.thumbprint, actor });
    }
    const updated = await updateClient(registry, client.clientId, {
      name: metadata.clientName,
      grantTypes: metadata.grantTypes,
      scopes: metadata.scopes,
      algPin: metadata.algPin ?? null,
      contact: metadata.contacts?.join(', ') ?? null,
      ...(metadata.jwksUri ? { jwksUri: metadata.jwksUri, jwksUriAllowHosts: allowHosts } : {}),
      // RFC 7592 §2.2: the PUT replaces the metadata; what it leaves out is cleared.
      authorization: {
        redirectUris: metadata.authorization.redirectUris ?? [],
        postLogoutRedirectUris: metadata.authorization.postLogoutRedirectUris ?? [],
        ...(metadata.authorization.responseTypes ? { responseTypes: metadata.authorization.responseTypes } : {}),
        idTokenSignedResponseAlg: metadata.authorization.idTokenSignedResponseAlg ?? null,
        requirePushedAuthorizationRequests: metadata.authorization.requirePushedAuthorizationRequests ?? false,
      },
      authorizationPolicy: authorizationPolicyOf(ctx.config),
    }, actor, { selfService: true });
    return jsonNoStore(clientInformation(ctx, updated, await ctx.store.clients.listKeys(client.clientId)));
  }));

  app.delete('/register/:clientId', authenticated(async (client, c) => {
    await deleteClient(registryFor(c, ctx), client.clientId, `registration:${client.clientId}`);
    // RFC 7592 §2.3: 204 No Content.
    return new Response(null, { status: 204, headers: { 'cache-control': 'no-store' } });
  }));
}
