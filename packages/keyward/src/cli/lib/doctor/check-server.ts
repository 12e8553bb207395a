/**
 * Doctor checks against the server: its RFC 8414 metadata (issuer, token endpoint) and the clock
 * offset read from its `Date` header (RFC 9110 §6.6.1).
 */
import { buildMetadataUrl } from '@keyward/client';
import { readServerDate } from '@keyward/client';
import type { Check, ServerFacts } from './types.ts';

/**
 * Fetches the metadata of `issuer`; returns the facts (issuer, token endpoint, clock offset in
 * seconds) and the checks 'server.discovery' and 'clock.offset'. Never throws for network trouble:
 * that is a failed check.
 */
export async function checkServer(issuer: string, options: { fetch?: typeof fetch; tolerance?: number; now?: () => number } = {}): Promise<{ checks: Check[]; facts?: ServerFacts }> {
  const fetchImpl = options.fetch ?? fetch;
  const localNow = options.now ?? Date.now;
  const tolerance = options.tolerance ?? 15;
  let url: string;
  try {
    url = buildMetadataUrl(issuer);
  } catch (error) {
    return { checks: [{ id: 'server.discovery', status: 'fail', title: `--issuer ${JSON.stringify(issuer)} is not a valid issuer URL`, detail: (error as Error).message }] };
  }
  const sentAt = localNow();
  let response: Response;
  try {
    response = await fetchImpl(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(10_000), redirect: 'error' });
  } catch (error) {
    return { checks: [{ id: 'server.discovery', status: 'fail', title: `cannot reach ${url}`, detail: (error as Error).message, fix: 'check the issuer URL and that the server is running' }] };
  }
  const receivedAt = localNow();
  const checks: Check[] = [];
  const serverDate = readServerDate(response.headers);
  let clockOffset: number | undefined;
  if (serverDate === undefined) {
    checks.push({ id: 'clock.offset', status: 'skip', title: 'the server sent no Date header: clock offset unknown' });
  } else {
    // One-second resolution: compare the middle of the server's second with the middle of our round trip.
    clockOffset = Math.round((serverDate + 500 - (sentAt + receivedAt) / 2) / 1000);
    const abs = Math.abs(clockOffset);
    const direction = clockOffset > 0 ? 'behind' : 'ahead of';
    if (abs > tolerance) checks.push({ id: 'clock.offset', status: 'fail', title: `your clock is ${abs} s ${direction} the server's (tolerance ${tolerance} s)`, detail: 'tokens you sign look expired or issued in the future to the server', fix: 'synchronise the clock with NTP (timedatectl set-ntp true; w32tm /resync)' });
    else if (abs > 5) checks.push({ id: 'clock.offset', status: 'warn', title: `your clock is ${abs} s ${direction} the server's (within the ${tolerance} s tolerance)`, fix: 'synchronise the clock with NTP' });
    else checks.push({ id: 'clock.offset', status: 'pass', title: `your clock agrees with the server's (offset ${clockOffset} s)` });
  }
  let metadata: Record<string, unknown> | undefined;
  try {
    const body: unknown = await response.json();
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) metadata = body as Record<string, unknown>;
  } catch {
    metadata = undefined;
  }
  if (response.status !== 200 || metadata === undefined) {
    checks.unshift({ id: 'server.discovery', status: 'fail', title: `${url} answered HTTP ${response.status} without metadata`, fix: "--issuer is the server's base URL (its issuer identifier), e.g. http://127.0.0.1:4440" });
    return clockOffset === undefined ? { checks } : { checks, facts: { issuer, clockOffset } };
  }
  // RFC 8414 §3.3: the metadata's issuer must be identical to the one requested.
  if (metadata.issuer !== issuer) {
    checks.unshift({ id: 'server.discovery', status: 'fail', title: `the server's issuer is ${JSON.stringify(metadata.issuer)}, not ${JSON.stringify(issuer)}`, fix: `use exactly ${JSON.stringify(metadata.issuer)} as --issuer and as the assertion's aud` });
  } else {
    checks.unshift({ id: 'server.discovery', status: 'pass', title: `the server announces issuer ${JSON.stringify(issuer)}` });
  }
  const facts: { issuer: string; tokenEndpoint?: string; clockOffset?: number } = { issuer: typeof metadata.issuer === 'string' ? metadata.issuer : issuer };
  if (typeof metadata.token_endpoint === 'string') facts.tokenEndpoint = metadata.token_endpoint;
  if (clockOffset !== undefined) facts.clockOffset = clockOffset;
  return { checks, facts };
}
