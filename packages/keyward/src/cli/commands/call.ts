/**
 * `keyward call URL`: an HTTP request with a Bearer token obtained automatically (an access token
 * from the authorization server, or a direct-mode token with --direct), with curl-like flags.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { createDirectTokenFetch } from '@keyward/client';
import { CliError, EXIT, printResult } from '../output.ts';
import { readPrivateKeyFile } from '../lib/key-files.ts';
import { mapClientError } from '../lib/map-client-error.ts';
import { addServerOptions, addSigningOptions, resolveSigningOptions } from '../lib/signing-options.ts';
import { addTokenOptions, createCliTokenClient, type TokenOptions } from './token.ts';
import { collectOption } from '../lib/collect-option.ts';

interface CallOptions extends TokenOptions {
  request?: string;
  header?: string[];
  data?: string;
  direct?: boolean;
  clientIdClaim?: string;
  include?: boolean;
  json?: boolean;
}

function readBody(data: string | undefined): string | undefined {
  if (data === undefined) return undefined;
  if (!data.startsWith('@')) return data;
  const path = data.slice(1);
  try {
    return path === '-' ? readFileSync(0, 'utf8') : readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read the body file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, EXIT.input);
  }
}

/** Registers `keyward call`. */
export function registerCallCommand(program: Command): void {
  const command = program.command('call')
    .description('send an HTTP request with a Bearer token obtained automatically (access token, or --direct token)')
    .argument('<url>', 'the API URL');
  addSigningOptions(command);
  addServerOptions(command);
  addTokenOptions(command)
    .option('-X, --request <method>', 'HTTP method (default GET, or POST with --data)')
    .option('-H, --header <header>', 'extra header "Name: value" (repeatable)', collectOption)
    .option('-d, --data <body>', 'request body; @file reads a file, @- standard input')
    .option('--direct', 'sign a direct-mode token (clientcode + iat) for the API instead of getting an access token')
    .option('--client-id-claim <name>', 'direct mode: the claim that carries the client ID', 'clientcode')
    .option('-i, --include', 'print the status line and response headers before the body')
    .option('--json', 'print { status, headers, body } as JSON')
    .addHelpText('after', `
Examples:
  keyward call http://127.0.0.1:3000/api/resource --issuer http://127.0.0.1:4440 --client-id my-client --key key.pem --scope read
  keyward call https://api.example.com/resource --direct --client-id client_12345 --key private_key.pem --passphrase-env PRIVATE_KEY_PASSWORD
  keyward call https://api.example.com/orders -X POST -H "Content-Type: application/json" -d @order.json --issuer ... --client-id ... --key ...

The response body goes to standard output; the token is never printed.
Exit codes: 0 response 1xx-3xx; 1 response 4xx/5xx or token refused; 2 usage error; 3 unreadable key; 4 unreachable.`)
    .action(async (url: string, options: CallOptions) => {
      const signing = resolveSigningOptions(options);
      const headers = new Headers();
      for (const line of options.header ?? []) {
        const at = line.indexOf(':');
        if (at <= 0) throw new CliError(`--header ${JSON.stringify(line)} must look like "Name: value"`, EXIT.usage);
        try {
          headers.append(line.slice(0, at).trim(), line.slice(at + 1).trim());
        } catch {
          throw new CliError(`--header ${JSON.stringify(line.slice(0, at))} is not a valid header`, EXIT.usage);
        }
      }
      const body = readBody(options.data);
      if (body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/x-www-form-urlencoded');
      const method = (options.request ?? (body === undefined ? 'GET' : 'POST')).toUpperCase();
      let doFetch: (input: string, init: RequestInit) => Promise<Response>;
      if (options.direct) {
        const privateKey = await readPrivateKeyFile(signing.keyFile, options);
        doFetch = createDirectTokenFetch({
          clientId: signing.clientId, privateKey,
          ...(signing.alg === undefined ? {} : { alg: signing.alg }),
          ...(signing.kid === undefined ? {} : { kid: signing.kid }),
          ...(signing.lifetime === undefined ? {} : { lifetime: signing.lifetime }),
          ...(options.clientIdClaim === undefined ? {} : { clientIdClaim: options.clientIdClaim }),
        });
      } else {
        const client = await createCliTokenClient(options, signing);
        if (options.resource !== undefined) {
          const resource = options.resource;
          doFetch = async (input, init) => {
            const token = await client.getToken({ resource });
            const withAuth = new Headers(init.headers);
            withAuth.set('authorization', `Bearer ${token}`);
            return fetch(input, { ...init, headers: withAuth });
          };
        } else {
          doFetch = client.fetch;
        }
      }
      let response: Response;
      try {
        response = await doFetch(url, { method, headers, ...(body === undefined ? {} : { body }), redirect: 'manual' });
      } catch (error) {
        throw mapClientError(error);
      }
      const text = await response.text();
      if (options.json) {
        let parsed: unknown = text;
        try { parsed = JSON.parse(text); } catch { parsed = text; }
        printResult(true, { status: response.status, headers: Object.fromEntries(response.headers), body: parsed }, () => text);
      } else {
        if (options.include) {
          process.stdout.write(`HTTP ${response.status} ${response.statusText}\n`);
          response.headers.forEach((value, name) => process.stdout.write(`${name}: ${value}\n`));
          process.stdout.write('\n');
        }
        process.stdout.write(text.endsWith('\n') || text === '' ? text : `${text}\n`);
      }
      if (response.status >= 400) {
        const challenge = response.headers.get('www-authenticate');
        process.stderr.write(`keyward: the API answered HTTP ${response.status}${challenge ? ` (${challenge})` : ''}\n`);
        process.exitCode = EXIT.failed;
      }
    });
}
