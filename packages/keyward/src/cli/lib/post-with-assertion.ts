/**
 * A client's own call to an authenticated endpoint of its authorization server (RFC 7662
 * introspection, RFC 7009 revocation): the endpoint from discovery (RFC 8414), a fresh
 * private_key_jwt assertion (RFC 7523 §2.2, aud = the issuer) and a form POST.
 */
import { discoverAuthorizationServer, JWT_BEARER_ASSERTION_TYPE, signClientAssertion } from '@keyward/client';
import { CliError, EXIT } from '../output.ts';
import { readPrivateKeyFile } from './key-files.ts';
import { mapClientError } from './map-client-error.ts';
import { resolveIssuer, resolveSigningOptions, type SigningOptions } from './signing-options.ts';

/** The discovery member that names the endpoint. */
export type EndpointName = 'introspection_endpoint' | 'revocation_endpoint';

/** POSTs `form` to the endpoint `name` of the issuer, authenticated as the client. */
export async function postWithAssertion(options: SigningOptions, name: EndpointName, form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const signing = resolveSigningOptions(options);
  const issuer = resolveIssuer(options);
  if (issuer === undefined) throw new CliError('give --issuer (or KEYWARD_ISSUER): the authorization server that issued the token', EXIT.usage);
  const privateKey = await readPrivateKeyFile(signing.keyFile, options);
  try {
    const metadata = await discoverAuthorizationServer(issuer);
    const endpoint = metadata.raw[name];
    if (typeof endpoint !== 'string') throw new CliError(`${issuer} publishes no ${name} in its metadata`, EXIT.failed);
    const assertion = await signClientAssertion({
      clientId: signing.clientId, audience: options.aud ?? metadata.issuer, privateKey,
      ...(signing.alg === undefined ? {} : { alg: signing.alg }),
      ...(signing.kid === undefined ? {} : { kid: signing.kid }),
    });
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ ...form, client_assertion_type: JWT_BEARER_ASSERTION_TYPE, client_assertion: assertion }).toString(),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      throw new CliError(`${endpoint} answered HTTP ${response.status} with a body that is not JSON`, EXIT.failed);
    }
    if (response.status !== 200) {
      const error = typeof body.error === 'string' ? body.error : `HTTP ${response.status}`;
      throw new CliError(`the server refused the request: ${error}${typeof body.error_description === 'string' ? `: ${body.error_description}` : ''}`, EXIT.failed);
    }
    return { status: response.status, body };
  } catch (error) {
    throw mapClientError(error);
  }
}
