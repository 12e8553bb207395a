// Child process of the token benchmark: the "ceiling", a bare node:http token endpoint that does
// only the unavoidable work of one request (read the form, verify the RS256 assertion with the one
// registered key and check iss/sub/aud/exp, sign an ES256 JWT access token) and NOTHING else: no
// replay check, no storage, no audit, no rate limit, no metrics. It is not a server anyone should
// run; it shows what this machine allows, so Keyward's and the peer's figures can be read against
// it. Same idea as the reference kit's ceiling (written anew here). Prints `{ "url": ... }`.
// Env: BENCH_PUBLIC_JWK, BENCH_SERVER_JWK (private ES256 JWK), BENCH_CLIENT_ID, BENCH_ISSUER,
// BENCH_WORKERS (default 1; N > 1: N node:cluster worker processes on the port, like serve --workers).
import cluster from 'node:cluster';
import { createPrivateKey, createPublicKey, randomUUID, sign, verify } from 'node:crypto';
import { createServer } from 'node:http';

const clientKey = createPublicKey({ key: JSON.parse(process.env.BENCH_PUBLIC_JWK), format: 'jwk' });
const serverJwk = JSON.parse(process.env.BENCH_SERVER_JWK);
const serverKey = createPrivateKey({ key: serverJwk, format: 'jwk' });
const issuer = process.env.BENCH_ISSUER;
const clientId = process.env.BENCH_CLIENT_ID;
const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: serverJwk.kid })).toString('base64url');

function refuse(res, status, error) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify({ error }));
}

const server = createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/token') return refuse(res, 404, 'not_found');
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const form = new URLSearchParams(Buffer.concat(chunks).toString('latin1'));
    const assertion = form.get('client_assertion') ?? '';
    const parts = assertion.split('.');
    if (form.get('grant_type') !== 'client_credentials' || parts.length !== 3) return refuse(res, 400, 'invalid_request');
    const ok = verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), clientKey, Buffer.from(parts[2], 'base64url'));
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString());
    const now = Math.floor(Date.now() / 1000);
    if (!ok || claims.iss !== clientId || claims.sub !== clientId || claims.aud !== issuer || !(claims.exp > now)) return refuse(res, 401, 'invalid_client');
    const payload = Buffer.from(JSON.stringify({ iss: issuer, sub: clientId, client_id: clientId, aud: 'https://api.bench.test', scope: 'api', iat: now, exp: now + 300, jti: randomUUID() })).toString('base64url');
    const input = `${header}.${payload}`;
    const signature = sign('sha256', Buffer.from(input), { key: serverKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify({ access_token: `${input}.${signature}`, token_type: 'Bearer', expires_in: 300, scope: 'api' }));
  });
});
const workers = Number(process.env.BENCH_WORKERS ?? '1');
if (workers > 1 && cluster.isPrimary) {
  // The main process only forks; the workers share the port it hands out for port 0.
  const forked = Array.from({ length: workers }, () => cluster.fork());
  let listening = 0;
  cluster.on('listening', (_worker, address) => {
    listening += 1;
    if (listening === workers) process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${address.port}`, pid: process.pid })}\n`);
  });
  process.once('SIGTERM', () => {
    for (const worker of forked) worker.kill('SIGTERM');
    process.exit(0);
  });
} else {
  server.listen(0, '127.0.0.1', () => {
    if (cluster.isPrimary) process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}`, pid: process.pid })}\n`);
  });
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}
