/**
 * `keyward doctor TOKEN`: runs every verifier rule on a token and prints each as pass or fail with
 * the fix, plus file diagnoses (private key given where a public key was expected, passphrase, PEM
 * whitespace and markers) and server diagnoses (issuer vs aud, clock offset from the Date header).
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { Command } from 'commander';
import { importPublicKey, importPublicKeys } from '@keyward/core';
import type { PublicKeyInfo } from '@keyward/core';
import { CliError, EXIT, paint, printResult, type Colour } from '../output.ts';
import { checkKeyKind, checkPemFormat, checkPrivateKeyOpens } from '../lib/doctor/check-key-file.ts';
import { checkServer } from '../lib/doctor/check-server.ts';
import { isHealthy, runDoctor } from '../lib/doctor/run-doctor.ts';
import type { Check, DoctorInput, ServerFacts } from '../lib/doctor/types.ts';
import { readKeyFileContent } from '../lib/key-files.ts';
import { readPassphrase, type PassphraseOptions } from '../lib/passphrase.ts';
import { readTokenArgument } from '../lib/read-token-argument.ts';

interface DoctorOptions extends PassphraseOptions {
  key?: string;
  jwks?: string;
  privateKey?: string;
  issuer?: string;
  aud?: string;
  clientId?: string;
  direct?: boolean;
  clientIdClaim?: string;
  audiencePolicy?: string;
  json?: boolean;
}

const MARK: Record<Check['status'], readonly [string, Colour]> = { pass: ['PASS', 'green'], fail: ['FAIL', 'red'], warn: ['WARN', 'yellow'], skip: ['SKIP', 'gray'] };

async function passphraseIfGiven(options: PassphraseOptions, purpose: string): Promise<string | undefined> {
  if (options.passphraseEnv === undefined && options.passphraseFile === undefined && !process.stdin.isTTY) return undefined;
  try {
    return await readPassphrase(options, purpose);
  } catch (error) {
    if (error instanceof CliError) return undefined;
    throw error;
  }
}

async function readJwks(source: string): Promise<{ keys?: PublicKeyInfo[]; check: Check }> {
  let text: string;
  if (/^https?:\/\//.test(source)) {
    try {
      const response = await fetch(source, { signal: AbortSignal.timeout(10_000), redirect: 'error' });
      text = await response.text();
      if (response.status !== 200) return { check: { id: 'key.jwks', status: 'fail', title: `${source} answered HTTP ${response.status}` } };
    } catch (error) {
      return { check: { id: 'key.jwks', status: 'fail', title: `cannot fetch ${source}`, detail: (error as Error).message } };
    }
  } else {
    const content = readKeyFileContent(source, 'JWKS file');
    text = typeof content === 'string' ? content : '';
  }
  try {
    const keys = importPublicKeys(text);
    return { keys, check: { id: 'key.jwks', status: 'pass', title: `${source} holds ${keys.length} public key${keys.length === 1 ? '' : 's'}` } };
  } catch (error) {
    return { check: { id: 'key.jwks', status: 'fail', title: `${source} is not a usable key set`, detail: (error as Error).message } };
  }
}

/** Registers `keyward doctor`. */
export function registerDoctorCommand(program: Command): void {
  program.command('doctor')
    .description('explain why a token would be refused: every verifier rule as pass/fail with the fix')
    .argument('<token>', 'the JWT (assertion or direct token), - to read standard input, or @file')
    .option('--key <file>', 'the REGISTERED public key (PEM, certificate, JWK or JWKS) to check the signature with')
    .option('--jwks <file|url>', 'the registered key set (file or URL), instead of --key')
    .option('--private-key <file>', 'your private key: checks that it opens and matches the registered key')
    .option('--passphrase-env <name>', 'passphrase of an encrypted key, from this environment variable')
    .option('--passphrase-file <path>', 'passphrase of an encrypted key, from this file')
    .option('--issuer <url>', "the server's issuer: checks aud against it and your clock against the server's Date header")
    .option('--aud <value>', 'the audience the server expects, when it has no discovery')
    .option('--client-id <id>', 'the client ID the token must carry')
    .option('--direct', 'the token is a direct-mode token (clientcode + iat), not a client assertion')
    .option('--client-id-claim <name>', 'direct mode: the claim that carries the client ID', 'clientcode')
    .option('--audience-policy <policy>', 'the client\'s audience policy on the server: strict (default) or legacy', 'strict')
    .option('--json', 'print { ok, checks: [{ id, status, title, detail, fix, reason }] }')
    .addHelpText('after', `
Examples:
  keyward doctor @jwt_assertion.txt --key public_key.pem --issuer http://127.0.0.1:4440 --client-id my-client
  keyward doctor "$TOKEN" --direct --key public_key.pem --private-key private_key.pem --passphrase-env PRIVATE_KEY_PASSWORD
  keyward doctor - --jwks https://client.example/.well-known/jwks.json --json < token.txt

Exit codes: 0 every check passed (warnings allowed); 1 at least one check failed; 2 usage error; 3 unreadable token file.`)
    .action(async (argument: string, options: DoctorOptions) => {
      if (options.audiencePolicy !== 'strict' && options.audiencePolicy !== 'legacy') throw new CliError('--audience-policy is strict or legacy', EXIT.usage);
      const token = readTokenArgument(argument);
      const checks: Check[] = [];
      let server: ServerFacts | undefined;
      if (options.issuer !== undefined) {
        const result = await checkServer(options.issuer);
        checks.push(...result.checks);
        server = result.facts;
      }
      let registered: PublicKeyInfo[] | undefined;
      if (options.key !== undefined) {
        const file = { path: options.key, content: readKeyFileContent(options.key), expected: 'public' as const };
        checks.push(checkPemFormat(file));
        const kind = checkKeyKind(file);
        checks.push(kind);
        if (kind.status === 'fail' && kind.reason === 'key_is_private') {
          // Go on with its public half, so the other rules can still be checked.
          const opened = checkPrivateKeyOpens(file, await passphraseIfGiven(options, options.key));
          checks.push(opened.check);
          if (opened.key) registered = [importPublicKey(createPublicKey(opened.key))];
        } else {
          try {
            registered = importPublicKeys(file.content);
          } catch (error) {
            checks.push({ id: 'key.read', status: 'fail', title: `${options.key} cannot be read as a public key`, detail: (error as Error).message, fix: 'give the public key PEM, certificate, JWK or JWKS you registered' });
          }
        }
      }
      if (options.jwks !== undefined) {
        const result = await readJwks(options.jwks);
        checks.push(result.check);
        if (result.keys) registered = [...(registered ?? []), ...result.keys];
      }
      let privateKey: KeyObject | undefined;
      if (options.privateKey !== undefined) {
        const file = { path: options.privateKey, content: readKeyFileContent(options.privateKey, 'private key file'), expected: 'private' as const };
        checks.push(checkPemFormat(file));
        const kind = checkKeyKind(file);
        checks.push(kind);
        if (kind.status !== 'fail') {
          const opened = checkPrivateKeyOpens(file, await passphraseIfGiven(options, options.privateKey));
          checks.push(opened.check);
          privateKey = opened.key;
        }
      }
      const input: DoctorInput = {
        token, now: Math.floor(Date.now() / 1000), audiencePolicy: options.audiencePolicy,
        ...(options.direct ? { direct: true, clientIdClaim: options.clientIdClaim ?? 'clientcode' } : {}),
        ...(options.clientId === undefined ? {} : { clientId: options.clientId }),
        ...(registered === undefined ? {} : { registeredKeys: registered }),
        ...(privateKey === undefined ? {} : { privateKey }),
        ...(server === undefined ? {} : { server }),
        ...(options.aud === undefined ? {} : { expectedAudience: options.aud }),
      };
      checks.push(...runDoctor(input));
      const ok = isHealthy(checks);
      printResult(options.json, { ok, checks }, () => [
        ...checks.map((check) => [
          `${paint(...MARK[check.status])}  ${check.title}${check.reason && check.status === 'fail' ? `  [${check.reason}]` : ''}`,
          ...(check.detail && check.status !== 'pass' ? [`      ${check.detail}`] : []),
          ...(check.fix && check.status !== 'pass' ? [`      fix: ${check.fix}`] : []),
        ].join('\n')),
        ok ? '\nno problem found' : `\n${checks.filter((check) => check.status === 'fail').length} problem(s) found`,
      ].join('\n'));
      if (!ok) process.exitCode = EXIT.failed;
    });
}
