/**
 * The issuer identifier of a configuration (RFC 8414 §2). Its own file, apart from the schema, so
 * that commands which only need the issuer do not load the config schema.
 */
import type { KeywardConfig } from './defaults.ts';

/** The issuer of a configuration once the port is known: `server.issuer`, else `http://host:port`. */
export function resolveIssuer(config: KeywardConfig, boundPort: number): string {
  if (config.server.issuer !== undefined) return config.server.issuer.replace(/\/+$/, '');
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  const shown = host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host;
  return `http://${shown}:${boundPort}`;
}
