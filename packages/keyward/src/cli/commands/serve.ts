/**
 * `keyward serve`: starts the authorization server on the configured data (SQLite in ./.keyward by
 * default), prints the issuer and the newcomer's next step, and stops cleanly on SIGINT/SIGTERM.
 */
import type { Command } from 'commander';
import { isJwsAlgorithm } from '@keyward/core';
import type { KeywardConfig } from '../../config/defaults.ts';
import type { KeywardConfigInput } from '../../config/schema.ts';
import { CliError, EXIT } from '../output.ts';

/** Registers `serve`. */
export function registerServeCommand(program: Command): void {
  program.command('serve')
    .description('start the Keyward authorization server')
    .option('--port <port>', 'TCP port (default: KEYWARD_PORT or 4440)')
    .option('--host <host>', 'interface (default: KEYWARD_HOST or 127.0.0.1)')
    .option('--issuer <url>', 'issuer identifier (default: KEYWARD_ISSUER or http://<host>:<port>)')
    .option('--data-dir <dir>', 'data directory (default: KEYWARD_DATA_DIR or ./.keyward)')
    .option('--workers <n>', 'worker processes sharing the port: a number, or auto for one per CPU core (default: KEYWARD_WORKERS or 1)')
    .option('--alg <alg>', 'algorithm of the signing key created on first start: ES256 (default), RS256, PS256, EdDSA')
    .option('--config <file>', 'config file (default: KEYWARD_CONFIG)')
    .option('--log-level <level>', 'fatal, error, warn, info (default), debug, trace, silent')
    .action(async (options: { port?: string; host?: string; issuer?: string; dataDir?: string; workers?: string; alg?: string; config?: string; logLevel?: string }) => {
      if (options.port !== undefined && !/^\d+$/.test(options.port)) throw new CliError('--port is a number', EXIT.usage);
      if (options.workers !== undefined && !/^(\d+|auto)$/.test(options.workers)) throw new CliError('--workers is a number, or auto (one per CPU core)', EXIT.usage);
      if (options.alg !== undefined && !isJwsAlgorithm(options.alg)) throw new CliError('--alg must be an asymmetric JWS algorithm (ES256, RS256, PS256, EdDSA, ...)', EXIT.usage);
      const server: Record<string, unknown> = {};
      if (options.port !== undefined) server.port = Number(options.port);
      if (options.host !== undefined) server.host = options.host;
      if (options.issuer !== undefined) server.issuer = options.issuer;
      if (options.workers !== undefined) server.workers = options.workers === 'auto' ? 'auto' : Number(options.workers);
      const overrides = {
        ...(Object.keys(server).length > 0 ? { server } : {}),
        ...(options.dataDir ? { storage: { dataDir: options.dataDir } } : {}),
        ...(options.alg ? { tokens: { signingAlg: options.alg } } : {}),
        ...(options.logLevel ? { log: { level: options.logLevel } } : {}),
      } as KeywardConfigInput;
      let config;
      // Loaded here, not at the top (like the server below): the config schema is not needed by the
      // other commands, and `keyward --help` should not wait for it.
      const { loadConfig } = await import('../../server/load-config.ts');
      try {
        config = loadConfig({ ...(options.config ? { configFile: options.config } : {}), overrides });
      } catch (error) {
        throw new CliError((error as Error).message, EXIT.usage);
      }
      // Loaded here, not at the top: every other command of the CLI starts without the HTTP stack.
      const { resolveWorkerCount } = await import('../../server/workers/start-worker-pool.ts');
      const workers = resolveWorkerCount(config.server.workers);
      const node = workers > 1 ? await startPool(config, workers) : await startSingle(config);
      process.stderr.write([
        `Keyward is listening on ${node.url}`,
        `  issuer:      ${node.issuer}`,
        `  metadata:    ${node.issuer}/.well-known/oauth-authorization-server`,
        `  data:        ${config.storage.databaseUrl ? 'PostgreSQL' : config.storage.dataDir}`,
        `  signing key: ${node.kid} (${node.alg})`,
        ...(workers > 1 ? [`  workers:     ${workers} processes`] : []),
        ...(config.console.enabled ? [`  console:     ${node.url}/console/ (sign in with the key of \`keyward admin init\`)`] : []),
        '',
        'Next step: register a client with its public key:',
        '  keyward clients add --name my-app --public-key public_key.pem',
        '',
      ].join('\n'));
      await new Promise<void>((resolve, reject) => {
        // SIGTERM (an orchestrator) drains for server.shutdownDrain; Ctrl-C (a person) does not wait.
        const stop = (signal: 'SIGINT' | 'SIGTERM') => {
          process.stderr.write(`\n${signal}: stopping Keyward...\n`);
          void node.close({ drain: signal === 'SIGTERM' }).then(resolve, (error: unknown) => {
            process.stderr.write(`keyward: error while stopping: ${(error as Error).message}\n`);
            resolve();
          });
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
        // Workers that keep dying stop the server with a non-zero exit code.
        node.stopped?.catch((error: unknown) => reject(new CliError((error as Error).message, EXIT.failed)));
      });
    });
}

/** What `serve` needs of a running server, one process or a pool of workers. */
interface StartedNode {
  readonly url: string;
  readonly issuer: string;
  readonly kid: string;
  readonly alg: string;
  readonly stopped?: Promise<void>;
  close(options: { drain: boolean }): Promise<void>;
}

async function startSingle(config: KeywardConfig): Promise<StartedNode> {
  const { startServer } = await import('../../server/main.ts');
  const running = await startServer(config);
  const active = running.context.signingKeys.active();
  return { url: running.url, issuer: running.issuer, kid: active.kid, alg: active.alg, close: (options) => running.close(options) };
}

async function startPool(config: KeywardConfig, count: number): Promise<StartedNode> {
  const [{ startWorkerPool }, { createLogger }] = await Promise.all([import('../../server/workers/start-worker-pool.ts'), import('../../server/logger.ts')]);
  const pool = await startWorkerPool(config, { count, logger: createLogger(config) });
  return { url: pool.url, issuer: pool.issuer, kid: pool.signingKey.kid, alg: pool.signingKey.alg, stopped: pool.stopped, close: (options) => pool.close(options) };
}
