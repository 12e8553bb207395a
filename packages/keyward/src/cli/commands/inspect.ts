/**
 * `keyward inspect TOKEN`: decodes a JWT's header and claims WITHOUT verifying it, shows the time
 * claims as dates and ages, the kid, and the thumbprint of a key given with --key.
 */
import { createPublicKey } from 'node:crypto';
import type { Command } from 'commander';
import { calculateThumbprint } from '@keyward/core';
import { CliError, EXIT, printResult } from '../output.ts';
import { describeNumericDate } from '../lib/format-time.ts';
import { decodeLeniently } from '../lib/doctor/decode-leniently.ts';
import { isPrivateKeyContent, readKeyFileContent, readPrivateKeyFile, readPublicKeyFile } from '../lib/key-files.ts';
import { readTokenArgument } from '../lib/read-token-argument.ts';

interface InspectOptions {
  key?: string;
  passphraseEnv?: string;
  passphraseFile?: string;
  json?: boolean;
}

const TIME_CLAIMS = ['iat', 'nbf', 'exp'] as const;

/** Registers `keyward inspect`. */
export function registerInspectCommand(program: Command): void {
  program.command('inspect')
    .description('decode a JWT (header, claims, times as dates and ages, kid); does NOT verify it')
    .argument('<token>', 'the JWT, - to read standard input, or @file')
    .option('--key <file>', 'a key (public or private) to compare its RFC 7638 thumbprint with the kid')
    .option('--passphrase-env <name>', 'passphrase of an encrypted --key, from this environment variable')
    .option('--passphrase-file <path>', 'passphrase of an encrypted --key, from this file')
    .option('--json', 'print { header, claims, times, kid, key_thumbprint, signature_verified: false }')
    .addHelpText('after', `
Examples:
  keyward inspect eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9...
  keyward inspect @jwt_assertion.txt --key public_key.pem
  keyward token ... | keyward inspect - --json

To find out why a token is refused, use keyward doctor.
Exit codes: 0 decoded; 3 not a decodable JWT or unreadable key.`)
    .action(async (argument: string, options: InspectOptions) => {
      const token = readTokenArgument(argument);
      const jwt = decodeLeniently(token);
      if (jwt.header === undefined || jwt.payload === undefined) {
        throw new CliError('this is not a decodable JWT (three base64url parts: header.payload.signature); run keyward doctor on it for details', EXIT.input);
      }
      const now = Math.floor(Date.now() / 1000);
      const times: Record<string, { value: unknown; date?: string; age_seconds?: number; description: string }> = {};
      for (const name of TIME_CLAIMS) {
        if (!Object.hasOwn(jwt.payload, name)) continue;
        const value = jwt.payload[name];
        const entry: { value: unknown; date?: string; age_seconds?: number; description: string } = { value, description: describeNumericDate(value, now) };
        if (typeof value === 'number' && Number.isFinite(value) && value < 1e11) {
          entry.date = new Date(value * 1000).toISOString();
          entry.age_seconds = now - value;
        }
        times[name] = entry;
      }
      let keyThumbprint: string | undefined;
      if (options.key !== undefined) {
        const content = readKeyFileContent(options.key);
        keyThumbprint = isPrivateKeyContent(content)
          ? calculateThumbprint(createPublicKey(await readPrivateKeyFile(options.key, options)))
          : readPublicKeyFile(options.key)[0]?.thumbprint;
      }
      const kid = typeof jwt.header.kid === 'string' ? jwt.header.kid : undefined;
      const lineBreaks = /\s/.test(token);
      const data = {
        header: jwt.header,
        claims: jwt.payload,
        times,
        ...(kid === undefined ? {} : { kid }),
        ...(keyThumbprint === undefined ? {} : { key_thumbprint: keyThumbprint, kid_matches_key: kid === undefined ? null : kid === keyThumbprint }),
        line_breaks: lineBreaks,
        signature_verified: false,
      };
      printResult(options.json, data, () => [
        'Header:', JSON.stringify(jwt.header, null, 2),
        'Claims:', JSON.stringify(jwt.payload, null, 2),
        ...(Object.keys(times).length > 0 ? ['Times:', ...Object.entries(times).map(([name, entry]) => `  ${name}: ${entry.description}`)] : []),
        `kid: ${kid ?? '(none)'}`,
        ...(keyThumbprint === undefined ? [] : [`key thumbprint (RFC 7638): ${keyThumbprint}${kid === undefined ? '' : kid === keyThumbprint ? '  (matches the kid)' : '  (does NOT match the kid)'}`]),
        ...(lineBreaks ? ['warning: the token contains line breaks or spaces; verifiers refuse it (run keyward doctor)'] : []),
        'The signature was NOT verified (use keyward doctor --key to check it).',
      ].join('\n'));
    });
}
