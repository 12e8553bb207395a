/**
 * Turns SDK errors into CLI errors with the documented exit codes: refused by the server → 1,
 * an issuer that is not a URL → 2, server unreachable → 4.
 */
import { DiscoveryError, TokenRequestError } from '@keyward/client';
import { CliError, EXIT } from '../output.ts';

/** Maps an error thrown by the SDK (or fetch) to a CliError; other errors are returned unchanged. */
export function mapClientError(error: unknown): unknown {
  if (error instanceof TokenRequestError) {
    const hint = error.error === 'invalid_client' ? ' (run `keyward doctor` on an assertion to see why)' : '';
    return new CliError(`the server refused the token request: ${error.error}${error.error_description ? `: ${error.error_description}` : ''}${hint}`, EXIT.failed);
  }
  if (error instanceof DiscoveryError) {
    return new CliError(error.message, error.message.startsWith('cannot reach') ? EXIT.unreachable : EXIT.failed);
  }
  if (error instanceof TypeError && /^issuer must/.test(error.message)) {
    return new CliError(`--issuer: ${error.message} (for example http://127.0.0.1:4440)`, EXIT.usage);
  }
  if (error instanceof TypeError && /fetch failed/i.test(error.message)) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return new CliError(`the server is unreachable${cause ? ` (${cause})` : ''}: check the URL and that it is running`, EXIT.unreachable);
  }
  return error;
}
