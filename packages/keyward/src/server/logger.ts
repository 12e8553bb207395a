/**
 * The server logger (pino). Tokens, assertions and Authorization headers are redacted wherever they
 * appear in a log object, as a second line of defence: no code path logs them on purpose. Lines
 * logged by a route for a request carry its `request_id`.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import type { KeywardConfig } from '../config/defaults.ts';

/** Field paths removed from every log line. */
export const REDACTED_PATHS = [
  'client_assertion', '*.client_assertion', 'assertion', '*.assertion',
  'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization',
  'access_token', '*.access_token', 'token', '*.token', 'tokens', '*.tokens',
  'privateJwk', '*.privateJwk', 'd', '*.d',
];

/** A pino logger at the configured level, writing JSON lines to standard output (or `destination`). */
export function createLogger(config: KeywardConfig, destination?: DestinationStream): Logger {
  return pino({
    level: config.log.level,
    base: { service: 'keyward' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  }, destination);
}
