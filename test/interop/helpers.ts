// Helpers for the interop tests: temp dirs, real openssl keys, running real producers.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importPublicKey, toRegisteredKey } from '../../packages/core/src/keys/index.ts';
import type { RegisteredKey } from '../../packages/core/src/keys/types.ts';

/** A fresh temporary directory; call the returned cleanup when done. */
export function makeTempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `keyward-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs a command; throws with its stderr if it fails. */
export function run(command: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): string {
  const result = spawnSync(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${String(result.status)}): ${result.stderr || String(result.error)}`);
  return result.stdout;
}

export const PASSPHRASE = 'correct horse battery staple';

/** The three key files of source document 000: plain, -des3 (encrypted PKCS#8), -traditional -des3 (legacy). */
export type KeyVariant = 'plain' | 'des3' | 'traditional-des3';
export const KEY_VARIANTS: readonly KeyVariant[] = ['plain', 'des3', 'traditional-des3'];

/**
 * Step 1 of source document 000, as written: `openssl genrsa [-des3] -out private_key.pem 2048` then
 * `openssl rsa -in private_key.pem -pubout -out public_key.pem` (the passphrase comes from the
 * environment instead of the terminal prompt).
 */
export function generateOpensslKey(dir: string, variant: KeyVariant): void {
  const env = { PRIVATE_KEY_PASSWORD: PASSPHRASE };
  const cipher = variant === 'plain' ? [] : variant === 'des3' ? ['-des3'] : ['-traditional', '-des3'];
  const pass = variant === 'plain' ? [] : ['-passout', 'env:PRIVATE_KEY_PASSWORD'];
  run('openssl', ['genrsa', ...cipher, ...pass, '-out', 'private_key.pem', '2048'], { cwd: dir, env });
  run('openssl', ['rsa', '-in', 'private_key.pem', ...(variant === 'plain' ? [] : ['-passin', 'env:PRIVATE_KEY_PASSWORD']), '-pubout', '-out', 'public_key.pem'], { cwd: dir, env });
  const pem = readFileSync(join(dir, 'private_key.pem'), 'utf8');
  if (variant === 'des3' && !pem.includes('BEGIN ENCRYPTED PRIVATE KEY')) throw new Error('expected encrypted PKCS#8 from openssl genrsa -des3');
  if (variant === 'traditional-des3' && !pem.includes('Proc-Type: 4,ENCRYPTED')) throw new Error('expected a legacy encrypted PEM from -traditional -des3');
}

/** What the IT team does with public_key.pem (step 2-3): register it. */
export function registerPublicKeyFile(path: string): RegisteredKey {
  return toRegisteredKey(importPublicKey(readFileSync(path, 'utf8')));
}

/** Pulls the JWT out of the snippets' `Generated JWT: <token>` line. */
export function extractGeneratedJwt(stdout: string): string {
  const match = /Generated JWT: (\S+)/.exec(stdout);
  if (!match) throw new Error(`no "Generated JWT:" line in the output: ${stdout.slice(0, 200)}`);
  return match[1]!;
}

/** True when /usr/bin/python3 can import PyJWT and cryptography. */
export function hasPyJwt(): boolean {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import jwt, cryptography'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * The imports and the two functions of source document 000's "Python Implementation" (PyJWT),
 * verbatim, trailing spaces included; each test appends its own usage lines.
 */
export const PYJWT_000_FUNCTIONS = `import jwt
import time
from cryptography.hazmat.primitives import serialization

def load_private_key(key_path, password=None):
    with open(key_path, 'rb') as f:
        if password:
            return serialization.load_pem_private_key(
                f.read(), 
                password=password.encode()
            )
        else:
            return serialization.load_pem_private_key(
                f.read(), 
                password=None
            )

def generate_jwt(client_id, private_key):
    payload = {
        'clientcode': client_id,
        'iat': int(time.time()),
        'exp': int(time.time()) + 3600  # Optional: 1 hour expiration
    }
    
    return jwt.encode(payload, private_key, algorithm='RS256')
`;

// ---- Source document 002's openssl + shell recipe ------------------------------------------------
// The client id and audience the recipe is run with: bash variables the caller exports
// (SEED_002_CLIENT_ID, SEED_002_AUDIENCE), so each test sets its own.

// Step 2, as written (plus -subj so `openssl req` does not prompt).
export const STEP_2 = `openssl genpkey -algorithm RSA -out private_key.pem -pkeyopt rsa_keygen_bits:2048
openssl req -new -x509 -key private_key.pem -out certificate.pem -days 365 -subj "/CN=$SEED_002_CLIENT_ID"
`;

// Steps 4 and 5, verbatim except YOUR_CLIENT_ID and the token endpoint URL.
export const STEPS_4_5 = `cat <<EOF > payload.json
{
"iss": "$SEED_002_CLIENT_ID",
"sub": "$SEED_002_CLIENT_ID",
"aud": "$SEED_002_AUDIENCE",
"exp": $(($(date +%s) + 300)),
"iat": $(date +%s),
"jti": "$(uuidgen)"
}
EOF
echo -n '{"alg":"RS256","typ":"JWT"}' | openssl base64 -e | tr -d '=' | tr '/+' '_-' > header_base64.txt
openssl base64 -in payload.json -e | tr -d '=' | tr '/+' '_-' > payload_base64.txt
# Combine header and payload
echo -n "$(cat header_base64.txt).$(cat payload_base64.txt)" > signing_input.txt

# Create the signature
openssl dgst -sha256 -sign private_key.pem -out signature.bin signing_input.txt

# Base64 encode the signature and make it URL safe
openssl base64 -in signature.bin -e | tr -d '=' | tr '/+' '_-' > signature_base64.txt

# Combine header, payload, and signature to create the JWT
echo -n "$(cat header_base64.txt).$(cat payload_base64.txt).$(cat signature_base64.txt)" > jwt_assertion.txt
`;

// The documented corrections: -A (one line) on every `openssl base64`, or strip newlines with tr.
export const FIXED_WITH_A = STEPS_4_5.replaceAll('openssl base64 -e', 'openssl base64 -A -e').replaceAll('openssl base64 -in', 'openssl base64 -A -in');
export const FIXED_WITH_TR = STEPS_4_5.replaceAll("| tr -d '=' |", "| tr -d '=\\n' |");


/**
 * Runs seed 002 shell steps in `dir` with bash, for `clientId` and the assertion audience
 * `audience`; uuidgen (util-linux, not on every machine) is provided from the kernel.
 */
export function runSeed002(dir: string, script: string, options: { clientId: string; audience: string; env?: NodeJS.ProcessEnv }): string {
  writeFileSync(join(dir, 'uuidgen'), '#!/bin/sh\ncat /proc/sys/kernel/random/uuid\n');
  chmodSync(join(dir, 'uuidgen'), 0o755);
  return run('bash', ['-e', '-c', script], { cwd: dir, env: { ...options.env, PATH: `${dir}:${process.env.PATH ?? ''}`, SEED_002_CLIENT_ID: options.clientId, SEED_002_AUDIENCE: options.audience } });
}
