// Worker thread of the token benchmark: signs `count` unique RS256 client assertions
// (iss = sub = client id, aud = the shared issuer id, random jti, iat = now, exp = now + lifetime)
// with node:crypto and posts them back in chunks. Plain JavaScript so workers need no loader.
import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';

const { pkcs8, clientId, audience, count, lifetime, kid } = workerData;
const key = createPrivateKey(pkcs8);
const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const header = b64({ alg: 'RS256', typ: 'JWT', kid });
const now = Math.floor(Date.now() / 1000);
let chunk = [];
for (let i = 0; i < count; i += 1) {
  const input = `${header}.${b64({ iss: clientId, sub: clientId, aud: audience, jti: randomUUID(), iat: now, exp: now + lifetime })}`;
  chunk.push(`${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`);
  if (chunk.length === 1000) {
    parentPort.postMessage(chunk);
    chunk = [];
  }
}
if (chunk.length > 0) parentPort.postMessage(chunk);
