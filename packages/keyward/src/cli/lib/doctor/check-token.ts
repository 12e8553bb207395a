/**
 * Doctor checks on the token itself: the compact format, the JOSE header, and each claim rule of the
 * verifier (RFC 7523 §3 for client assertions, the direct mode of source document 000).
 * Each check reuses the real core function where one exists, so the doctor and the verifier agree.
 */
import { OAuthError } from '@keyward/core';
import { parseCompactJws } from '@keyward/core';
import { checkAlgorithm } from '@keyward/core';
import { isMilliseconds } from '@keyward/core';
import { readTyp } from '@keyward/core';
import { DEFAULT_ASSERTION_POLICY, DEFAULT_DIRECT_TOKEN_POLICY } from '@keyward/core';
import type { ParsedJws } from '@keyward/core';
import type { Check, DoctorInput } from './types.ts';
import type { LenientJwt } from './decode-leniently.ts';

function fail(id: string, title: string, error: unknown, fix?: string): Check {
  if (error instanceof OAuthError) return { id, status: 'fail', title, detail: error.message, reason: error.reason, ...(fix ? { fix } : {}) };
  return { id, status: 'fail', title, detail: String((error as Error).message ?? error), ...(fix ? { fix } : {}) };
}

/** Format: one unbroken line (RFC 7515 §2), then the strict compact parse (RFC 7515 §7.1). */
export function checkFormat(token: string): { checks: Check[]; parsed?: ParsedJws } {
  const checks: Check[] = [];
  const trimmed = token.replace(/\s+$/, '');
  const hasInnerWhitespace = /\s/.test(trimmed);
  let parsed: ParsedJws | undefined;
  try {
    parsed = parseCompactJws(token);
    checks.push({ id: 'format.line_breaks', status: 'pass', title: 'the JWT is one unbroken line' });
    checks.push({ id: 'format.structure', status: 'pass', title: 'the JWT is a well-formed compact JWS (header.payload.signature, base64url JSON)' });
    return { checks, parsed };
  } catch (error) {
    if (error instanceof OAuthError && error.reason === 'assertion_line_breaks') {
      checks.push(fail('format.line_breaks', hasInnerWhitespace ? 'the JWT contains line breaks' : 'the JWT ends with a line break', error,
        hasInnerWhitespace
          ? "build each part with `openssl base64 -A` (or pipe through `tr -d '\\n'`): `openssl base64 -e` wraps every 64 characters"
          : 'strip the trailing newline: `tr -d \'\\n\' < jwt_assertion.txt`, or $(cat file) in a shell, which drops it'));
      // Go on with the whitespace removed, to find the other problems too.
      try {
        parsed = parseCompactJws(token.replace(/\s+/g, ''));
        checks.push({ id: 'format.structure', status: 'pass', title: 'with the line breaks removed, the JWT is a well-formed compact JWS' });
      } catch (inner) {
        checks.push(fail('format.structure', 'the JWT is not a well-formed compact JWS', inner, 'send the JWT exactly as signed: three base64url parts separated by dots'));
      }
      return parsed ? { checks, parsed } : { checks };
    }
    checks.push({ id: 'format.line_breaks', status: hasInnerWhitespace ? 'fail' : 'pass', title: hasInnerWhitespace ? 'the JWT contains whitespace' : 'the JWT is one unbroken line' });
    if (error instanceof OAuthError && (error.reason === 'header_key_not_allowed' || error.reason === 'crit_unsupported')) {
      checks.push(fail('header.key_headers', 'the header carries a key or a critical extension', error, 'remove jwk/jku/x5u/x5c/crit from the header: the server finds your key by kid among the registered ones'));
    } else {
      checks.push(fail('format.structure', 'the JWT is not a well-formed compact JWS', error, 'send the JWT exactly as signed: three base64url parts separated by dots, no quotes'));
    }
    return { checks };
  }
}

/** Header: alg on the allow-list (RFC 8725 §3.1), typ allowed (RFC 8725 §3.11). */
export function checkHeader(jwt: LenientJwt, parsed: ParsedJws | undefined, input: DoctorInput): Check[] {
  const header = parsed?.header ?? jwt.header;
  if (header === undefined) return [{ id: 'header.alg', status: 'skip', title: 'the header could not be decoded' }];
  const checks: Check[] = [];
  try {
    checkAlgorithm({ header } as ParsedJws, { allowedAlgs: DEFAULT_ASSERTION_POLICY.allowedAlgs });
    checks.push({ id: 'header.alg', status: 'pass', title: `alg ${String(header.alg)} is allowed` });
  } catch (error) {
    checks.push(fail('header.alg', `alg ${JSON.stringify(header.alg)} is not allowed`, error, 'sign with the registered private key and an asymmetric algorithm: RS256 (RSA), PS256, ES256 (EC P-256) or EdDSA'));
  }
  const typ = readTyp(header);
  const allowed = input.direct ? ['jwt'] : ['jwt', 'client-authentication+jwt'];
  if (typ === undefined || allowed.includes(typ)) checks.push({ id: 'header.typ', status: 'pass', title: `typ ${typ === undefined ? '(absent)' : JSON.stringify(header.typ)} is allowed` });
  else checks.push({ id: 'header.typ', status: 'fail', title: `typ ${JSON.stringify(header.typ)} is not allowed here`, reason: 'typ_not_allowed', fix: input.direct ? 'use typ "JWT" or none' : 'use typ "client-authentication+jwt", "JWT" or none: other typed JWTs (at+jwt...) are not client assertions' });
  return checks;
}

/** Time claims: seconds not milliseconds (RFC 7519 §2), exp, iat, lifetime. */
export function checkTimes(claims: Record<string, unknown>, input: DoctorInput): Check[] {
  const checks: Check[] = [];
  const tolerance = input.clockTolerance ?? 15;
  // The server's clock when we know it (Date header), else ours.
  const now = input.now + (input.server?.clockOffset ?? 0);
  const clockName = input.server?.clockOffset === undefined ? 'the local clock' : 'the server clock';
  const num = (name: string): number | undefined => (typeof claims[name] === 'number' && Number.isFinite(claims[name]) ? claims[name] as number : undefined);
  const iat = num('iat');
  const exp = num('exp');
  const inMs = [['iat', iat], ['exp', exp], ['nbf', num('nbf')]].filter(([, v]) => v !== undefined && isMilliseconds(v as number)).map(([n]) => n as string);
  for (const name of ['iat', 'exp', 'nbf']) {
    if (Object.hasOwn(claims, name) && num(name) === undefined) {
      checks.push({ id: 'claims.time_units', status: 'fail', title: `${name} is not a number`, reason: 'claim_invalid', fix: `${name} is a NumericDate: a JSON number of seconds since the epoch, not a string` });
      return checks;
    }
  }
  if (inMs.length > 0) {
    checks.push({ id: 'claims.time_units', status: 'fail', title: `${inMs.join(' and ')} ${inMs.length > 1 ? 'are' : 'is'} in milliseconds`, reason: inMs[0] === 'exp' ? 'exp_in_milliseconds' : 'iat_in_milliseconds', detail: 'NumericDate counts SECONDS since the epoch (RFC 7519 §2); Date.now() gives milliseconds', fix: 'use Math.floor(Date.now() / 1000) (Python: int(time.time()))' });
    return checks;
  }
  checks.push({ id: 'claims.time_units', status: 'pass', title: 'iat/exp/nbf are in seconds' });

  const maxLifetime = input.direct ? DEFAULT_DIRECT_TOKEN_POLICY.maxLifetime : DEFAULT_ASSERTION_POLICY.maxLifetime;
  if (exp === undefined) {
    if (input.direct) checks.push({ id: 'claims.exp', status: 'pass', title: 'exp is absent (optional in direct mode; the token lives 300 s after iat)' });
    else checks.push({ id: 'claims.exp', status: 'fail', title: 'exp is missing', reason: 'exp_missing', fix: 'add exp = iat + 60 (RFC 7523 §3 (4) requires it)' });
  } else if (now >= exp + tolerance) {
    checks.push({ id: 'claims.exp', status: 'fail', title: `the JWT expired ${Math.round(now - exp)} s ago (by ${clockName})`, reason: 'assertion_expired', fix: 'make a fresh token for each request; if it was fresh, your clock is behind: synchronise it (NTP)' });
  } else if (iat !== undefined && exp - iat > maxLifetime) {
    checks.push({ id: 'claims.exp', status: 'fail', title: `the lifetime exp - iat is ${exp - iat} s, over the ${maxLifetime} s limit`, reason: 'lifetime_too_long', fix: 'use a short lifetime: 60 s is plenty for an assertion' });
  } else {
    checks.push({ id: 'claims.exp', status: 'pass', title: `exp is ${Math.round(exp - now)} s ahead and the lifetime is acceptable` });
  }

  if (iat === undefined) {
    if (input.direct) checks.push({ id: 'claims.iat', status: 'fail', title: 'iat is missing', reason: 'iat_missing', fix: 'add iat = Math.floor(Date.now() / 1000): the API uses it to judge freshness' });
    else checks.push({ id: 'claims.iat', status: 'pass', title: 'iat is absent (optional for assertions)' });
  } else if (iat > now + tolerance) {
    checks.push({ id: 'claims.iat', status: 'fail', title: `iat is ${Math.round(iat - now)} s in the future (by ${clockName}; tolerance ${tolerance} s)`, reason: 'iat_in_future', fix: 'your clock is ahead: synchronise it (NTP)' });
  } else if (input.direct && now - iat > DEFAULT_DIRECT_TOKEN_POLICY.maxIatAge + tolerance) {
    checks.push({ id: 'claims.iat', status: 'fail', title: `iat is ${Math.round(now - iat)} s old; direct tokens are accepted for ${DEFAULT_DIRECT_TOKEN_POLICY.maxIatAge} s`, reason: 'iat_too_old', fix: 'sign a fresh token per request (or every few minutes)' });
  } else {
    checks.push({ id: 'claims.iat', status: 'pass', title: `iat is ${Math.round(now - iat)} s ago` });
  }
  return checks;
}

/** Identity claims: iss = sub = client_id and jti (RFC 7523 §3 (1), (2), (7)), or clientcode (direct mode). */
export function checkIdentity(claims: Record<string, unknown>, input: DoctorInput): Check[] {
  if (input.direct) {
    const claim = input.clientIdClaim ?? 'clientcode';
    const value = claims[claim];
    if (typeof value !== 'string' || value === '') return [{ id: 'claims.client_id', status: 'fail', title: `the "${claim}" claim is missing or empty`, reason: 'client_id_claim_missing', fix: `put your client ID in "${claim}"` }];
    if (input.clientId !== undefined && value !== input.clientId) return [{ id: 'claims.client_id', status: 'fail', title: `"${claim}" is ${JSON.stringify(value)}, not ${JSON.stringify(input.clientId)}`, fix: 'use the client ID the API provider gave you' }];
    return [{ id: 'claims.client_id', status: 'pass', title: `"${claim}" names the client ${JSON.stringify(value)}` }];
  }
  const checks: Check[] = [];
  const { iss, sub } = claims;
  if (typeof iss !== 'string' || iss === '') checks.push({ id: 'claims.iss_sub', status: 'fail', title: 'iss is missing or not a string', reason: 'iss_mismatch', fix: 'set iss to your client_id' });
  else if (iss !== sub) checks.push({ id: 'claims.iss_sub', status: 'fail', title: `sub ${JSON.stringify(sub)} differs from iss ${JSON.stringify(iss)}`, reason: 'sub_mismatch', fix: 'set both iss and sub to your client_id (RFC 7523 §3 (1), (2))' });
  else if (input.clientId !== undefined && iss !== input.clientId) checks.push({ id: 'claims.iss_sub', status: 'fail', title: `iss/sub is ${JSON.stringify(iss)}, not the client ID ${JSON.stringify(input.clientId)}`, reason: 'iss_mismatch', fix: 'set iss and sub to the client ID you received at registration' });
  else checks.push({ id: 'claims.iss_sub', status: 'pass', title: `iss = sub = ${JSON.stringify(iss)}` });
  const jti = claims.jti;
  if (typeof jti === 'string' && jti !== '' && jti.length <= 256) checks.push({ id: 'claims.jti', status: 'pass', title: 'jti is present' });
  else checks.push({ id: 'claims.jti', status: 'fail', title: 'jti is missing, empty or not a short string', reason: 'jti_missing', fix: 'add a fresh random jti (a UUID) to every assertion (RFC 7523 §3 (7))' });
  return checks;
}

/** aud: the issuer identifier (strict) or also the token endpoint (legacy) (RFC 7523 §3 (3), draft-ietf-oauth-rfc7523bis §5). */
export function checkAudience(claims: Record<string, unknown>, input: DoctorInput): Check[] {
  if (input.direct) return [];
  const issuer = input.server?.issuer ?? input.expectedAudience;
  const aud = claims.aud;
  if (issuer === undefined) {
    return [{ id: 'claims.aud', status: aud === undefined ? 'fail' : 'skip', title: aud === undefined ? 'aud is missing' : `aud is ${JSON.stringify(aud)} (give --issuer to check it against the server)`, ...(aud === undefined ? { reason: 'aud_mismatch', fix: "set aud to the server's issuer identifier" } : {}) }];
  }
  const tokenEndpoint = input.server?.tokenEndpoint;
  if (aud === issuer) return [{ id: 'claims.aud', status: 'pass', title: `aud is the issuer ${JSON.stringify(issuer)}` }];
  const legacy = input.audiencePolicy === 'legacy';
  if (tokenEndpoint !== undefined && (aud === tokenEndpoint || (Array.isArray(aud) && aud.includes(tokenEndpoint)))) {
    if (legacy) return [{ id: 'claims.aud', status: 'warn', title: 'aud is the token endpoint: accepted only by the legacy audience policy', fix: `set aud to the issuer ${JSON.stringify(issuer)}: strict servers and FAPI 2.0 require it` }];
    return [{ id: 'claims.aud', status: 'fail', title: 'aud is the token endpoint URL, but the server requires its issuer identifier', reason: 'aud_mismatch', detail: `aud ${JSON.stringify(aud)}; expected ${JSON.stringify(issuer)}`, fix: `set aud to exactly ${JSON.stringify(issuer)} (keyward assertion --issuer does), or ask the operator for the legacy audience policy` }];
  }
  if (Array.isArray(aud) && aud.includes(issuer)) {
    if (legacy) return [{ id: 'claims.aud', status: 'warn', title: 'aud is an array: accepted only by the legacy audience policy', fix: `set aud to the single string ${JSON.stringify(issuer)}` }];
    return [{ id: 'claims.aud', status: 'fail', title: 'aud is an array; the server requires one string', reason: 'aud_mismatch', fix: `set aud to the single string ${JSON.stringify(issuer)}` }];
  }
  return [{ id: 'claims.aud', status: 'fail', title: `aud ${JSON.stringify(aud)} is not this server`, reason: 'aud_mismatch', fix: `set aud to exactly ${JSON.stringify(issuer)}` }];
}
