// Conformance: the published JWS examples verify with verifyJwsSignature, and one flipped bit in
// any part makes each of them fail. Vectors copied from RFC 7515 Appendix A.2/A.3 and RFC 7520 §4.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { parseCompactJws, verifyJwsSignature } from '../../packages/core/src/jws/index.ts';
import type { ParsedJws } from '../../packages/core/src/jws/index.ts';
import type { JwsAlgorithm } from '../../packages/core/src/keys/types.ts';
import { flipBit } from './fixtures.ts';

// RFC 7515 Appendix A.2 (RS256) and A.3 (ES256): payload of A.1.
const A_PAYLOAD = 'eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ';
const A2_JWK = {
  kty: 'RSA',
  n: 'ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ',
  e: 'AQAB',
};
const A2_JWS = `eyJhbGciOiJSUzI1NiJ9.${A_PAYLOAD}.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw`;
const A3_JWK = { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' };
const A3_JWS = `eyJhbGciOiJFUzI1NiJ9.${A_PAYLOAD}.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q`;

// RFC 7520 §3.3 (Figure 3, RSA public key) and §3.2 (Figure 1, P-521 public key); payload Figure 8.
const C_RSA_JWK = {
  kty: 'RSA',
  n: 'n4EPtAOCc9AlkeQHPzHStgAbgs7bTZLwUBZdR8_KuKPEHLd4rHVTeT-O-XV2jRojdNhxJWTDvNd7nqQ0VEiZQHz_AJmSCpMaJMRBSFKrKb2wqVwGU_NsYOYL-QtiWN2lbzcEe6XC0dApr5ydQLrHqkHHig3RBordaZ6Aj-oBHqFEHYpPe7Tpe-OfVfHd1E6cS6M1FZcD1NNLYD5lFHpPI9bTwJlsde3uhGqC0ZCuEHg8lhzwOHrtIQbS0FVbb9k3-tVTU4fg_3L_vniUFAKwuCLqKnS2BYwdq_mzSnbLY7h_qixoR7jig3__kRhuaxwUkRz5iaiQkqgc5gHdrNP5zw',
  e: 'AQAB',
};
const C_EC_JWK = {
  kty: 'EC',
  crv: 'P-521',
  x: 'AHKZLLOsCOzz5cY97ewNUajB957y-C-U88c3v13nmGZx6sYl_oJXu9A5RkTKqjqvjyekWF-7ytDyRXYgCF5cj0Kt',
  y: 'AdymlHvOiLxXkEhayXQnNCvDX4h9htZaCJN34kfmC6pV5OhQHiraVySsUdaQkAgDPrwQrJmbnX9cwlGfP-HqHZR1',
};
const C_PAYLOAD = 'SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4';
const C_41 = `eyJhbGciOiJSUzI1NiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9.${C_PAYLOAD}.MRjdkly7_-oTPTS3AXP41iQIGKa80A0ZmTuV5MEaHoxnW2e5CZ5NlKtainoFmKZopdHM1O2U4mwzJdQx996ivp83xuglII7PNDi84wnB-BDkoBwA78185hX-Es4JIwmDLJK3lfWRa-XtL0RnltuYv746iYTh_qHRD68BNt1uSNCrUCTJDt5aAE6x8wW1Kt9eRo4QPocSadnHXFxnt8Is9UzpERV0ePPQdLuW3IS_de3xyIrDaLGdjluPxUAhb6L2aXic1U12podGU0KLUQSE_oI-ZnmKJ3F4uOZDnd6QZWJushZ41Axf_fcIe8u9ipH84ogoree7vjbU5y18kDquDg`;
const C_42 = `eyJhbGciOiJQUzM4NCIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9.${C_PAYLOAD}.cu22eBqkYDKgIlTpzDXGvaFfz6WGoz7fUDcfT0kkOy42miAh2qyBzk1xEsnk2IpN6-tPid6VrklHkqsGqDqHCdP6O8TTB5dDDItllVo6_1OLPpcbUrhiUSMxbbXUvdvWXzg-UD8biiReQFlfz28zGWVsdiNAUf8ZnyPEgVFn442ZdNqiVJRmBqrYRXe8P_ijQ7p8Vdz0TTrxUeT3lm8d9shnr2lfJT8ImUjvAA2Xez2Mlp8cBE5awDzT0qI0n6uiP1aCN_2_jLAeQTlqRHtfa64QQSUmFAAjVKPbByi7xho0uTOcbH510a6GYmJUAfmWjwZ6oD4ifKo8DYM-X72Eaw`;
const C_43 = `eyJhbGciOiJFUzUxMiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9.${C_PAYLOAD}.AE_R_YZCChjn4791jSQCrdPZCNYqHXCTZH0-JZGYNlaAjP2kqaluUIIUnC9qvbu9Plon7KRTzoNEuT4Va2cmL1eJAQy3mtPBu_u_sDDyYjnAMDxXPn7XrT0lw-kvAD890jl8e2puQens_IEKBpHABlsbEPX6sFY8OcGDqoRuBomu9xQ2`;

/**
 * RFC 7520's payload is a quotation, not a JSON object, so it is not a JWT and parseCompactJws
 * (a JWT parser) refuses it; a flipped header bit may also break the header JSON. verifyJwsSignature
 * only uses the signing input and the signature, so the parsed form is built here from the exact parts.
 */
function cookbookParsed(compact: string): ParsedJws {
  const [header, payload, signature] = compact.split('.') as [string, string, string];
  return {
    header: {},
    payload: {},
    signingInput: Buffer.from(`${header}.${payload}`),
    signature: Buffer.from(signature, 'base64url'),
    raw: { header, payload, signature },
  };
}

function tamperedVariants(compact: string): string[] {
  return [flipBit(compact, 0, 3), flipBit(compact, 1, 5), flipBit(compact, 2, 7)];
}

const jwkKey = (jwk: Record<string, string>) => createPublicKey({ key: jwk, format: 'jwk' });

test('RFC 7515 Appendix A.2: the published RS256 example verifies; one flipped bit in any part fails', () => {
  const key = jwkKey(A2_JWK);
  const parsed = parseCompactJws(A2_JWS);
  assert.equal(parsed.header.alg, 'RS256');
  assert.equal(parsed.payload.iss, 'joe');
  assert.equal(verifyJwsSignature(parsed, key, 'RS256'), true);
  for (const bad of tamperedVariants(A2_JWS)) assert.equal(verifyJwsSignature(cookbookParsed(bad), key, 'RS256'), false);
  // The same signature is not a valid PS256 or RS384 signature: the algorithm comes from the caller.
  assert.equal(verifyJwsSignature(parsed, key, 'PS256'), false);
  assert.equal(verifyJwsSignature(parsed, key, 'RS384'), false);
});

test('RFC 7515 Appendix A.3: the published ES256 example verifies; one flipped bit in any part fails', () => {
  const key = jwkKey(A3_JWK);
  const parsed = parseCompactJws(A3_JWS);
  assert.equal(verifyJwsSignature(parsed, key, 'ES256'), true);
  for (const bad of tamperedVariants(A3_JWS)) assert.equal(verifyJwsSignature(cookbookParsed(bad), key, 'ES256'), false);
});

const COOKBOOK: [string, string, JwsAlgorithm, Record<string, string>][] = [
  ['RFC 7520 §4.1: the RSA v1.5 (RS256) example verifies', C_41, 'RS256', C_RSA_JWK],
  ['RFC 7520 §4.2: the RSA-PSS (PS384) example verifies (PSS is randomised: verify only)', C_42, 'PS384', C_RSA_JWK],
  ['RFC 7520 §4.3: the ECDSA (ES512, P-521, 132-byte signature) example verifies', C_43, 'ES512', C_EC_JWK],
];

for (const [name, compact, alg, jwk] of COOKBOOK) {
  test(`${name}; one flipped bit in any part fails`, () => {
    const key = jwkKey(jwk);
    assert.equal(verifyJwsSignature(cookbookParsed(compact), key, alg), true);
    for (const bad of tamperedVariants(compact)) assert.equal(verifyJwsSignature(cookbookParsed(bad), key, alg), false);
  });
}

test('RFC 7520 §4: the cookbook payload is not JSON, so as a JWT it is refused before any signature check', () => {
  assert.throws(() => parseCompactJws(C_41), { name: 'OAuthError', reason: 'assertion_malformed' });
});
