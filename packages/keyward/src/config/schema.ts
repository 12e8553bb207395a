/**
 * The configuration schema (zod, strict): a config file or override with an unknown key, a wrong
 * type or an out-of-range value is refused with a message that names the setting and the fix.
 */
import { z } from 'zod';
import { ASYMMETRIC_ALGS } from '@keyward/core';
import { ALERT_KINDS } from '../store/contract.ts';

const seconds = (max: number) => z.number().int().min(0).max(max);
const WORKERS_RULE = 'workers is a whole number from 1 to 64, or "auto" (one per CPU core)';

/** Schema of a (partial) configuration as written in a config file. Every key is optional. */
export const configInputSchema = z.strictObject({
  $schema: z.string().optional(),
  server: z.strictObject({
    host: z.string().min(1).optional(),
    port: z.number().int().min(0).max(65535).optional(),
    issuer: z.url({ protocol: /^https?$/ }).refine((value) => !value.includes('#') && !value.includes('?'), 'the issuer has no query or fragment (RFC 8414 §2)').optional(),
    maxBodyBytes: z.number().int().min(1024).max(10 * 1024 * 1024).optional(),
    requestTimeout: z.number().int().min(1).max(600).optional(),
    maxConnections: z.number().int().min(1).max(1_000_000).optional(),
    shutdownDrain: z.number().int().min(0).max(600).optional(),
    shutdownGrace: z.number().int().min(0).max(600).optional(),
    trustProxy: z.boolean().optional(),
    workers: z.union([z.number().int(WORKERS_RULE).min(1, WORKERS_RULE).max(64, WORKERS_RULE), z.literal('auto')], { error: WORKERS_RULE }).optional(),
  }).optional(),
  storage: z.strictObject({
    dataDir: z.string().min(1).optional(),
    databaseUrl: z.string().min(1).optional(),
    redisUrl: z.string().min(1).optional(),
    keyPrefix: z.string().optional(),
  }).optional(),
  tokens: z.strictObject({
    accessTokenTtl: z.number().int().min(1).max(86400).optional(),
    signingAlg: z.enum(ASYMMETRIC_ALGS).optional(),
    rotationOverlap: seconds(90 * 86400).optional(),
    signingKeyRefresh: z.number().int().min(1).max(3600).optional(),
  }).optional(),
  keys: z.strictObject({
    prepublishSeconds: seconds(7 * 86400).optional(),
    encryptionKey: z.string().min(1).optional(),
    encryptionKeyFile: z.string().min(1).optional(),
    previousEncryptionKey: z.string().min(1).optional(),
    previousEncryptionKeyFile: z.string().min(1).optional(),
    maxAge: z.number().int().min(0).max(36_500).optional(),
  }).optional(),
  assertions: z.strictObject({
    maxLifetime: z.number().int().min(1).max(3600).optional(),
    clockTolerance: seconds(300).optional(),
    maxLength: z.number().int().min(1024).max(1024 * 1024).optional(),
  }).optional(),
  clients: z.strictObject({
    cacheTtl: seconds(3600).optional(),
    jwksUriAllowHosts: z.array(z.string().min(1).max(253)).max(100).optional(),
    allowLoopbackRedirectUris: z.boolean().optional(),
  }).optional(),
  authorization: z.strictObject({
    requirePushedAuthorizationRequests: z.boolean().optional(),
    refreshTokenTtl: z.number().int().min(60).max(365 * 86400).optional(),
    idTokenTtl: z.number().int().min(30).max(86400).optional(),
    pendingRequestTtl: z.number().int().min(60).max(3600).optional(),
  }).optional(),
  clientKeysEndpoint: z.strictObject({
    maxAge: seconds(86400).optional(),
  }).optional(),
  audit: z.strictObject({
    retention: z.number().int().min(0).max(36_500).optional(),
  }).optional(),
  maintenance: z.strictObject({
    purgeInterval: z.number().int().min(1).max(86400).optional(),
  }).optional(),
  console: z.strictObject({
    enabled: z.boolean().optional(),
  }).optional(),
  metrics: z.strictObject({
    enabled: z.boolean().optional(),
    clientIdLabel: z.boolean().optional(),
  }).optional(),
  rateLimit: z.strictObject({
    enabled: z.boolean().optional(),
    perSourceAddress: z.number().int().min(1).max(100_000_000).optional(),
    perClient: z.number().int().min(1).max(100_000_000).optional(),
    window: z.number().int().min(1).max(86400).optional(),
  }).optional(),
  signIn: z.strictObject({
    sessionIdleSeconds: z.number().int().min(60).max(30 * 86400).optional(),
    sessionMaxSeconds: z.number().int().min(60).max(400 * 86400).optional(),
    maxFailuresPerUsername: z.number().int().min(1).max(1_000_000).optional(),
    maxFailuresPerAddress: z.number().int().min(1).max(1_000_000).optional(),
    maxSuccessesPerAddress: z.number().int().min(1).max(1_000_000).optional(),
    failureWindowSeconds: z.number().int().min(1).max(86400).optional(),
    passkeyEnrolmentSeconds: z.number().int().min(60).max(7 * 86400).optional(),
  }).optional(),
  alerts: z.strictObject({
    enabled: z.boolean().optional(),
    issuanceSpikeFactor: z.number().min(1).max(1_000_000).optional(),
    issuanceSpikeMinimum: z.number().int().min(1).max(100_000_000).optional(),
    replayBurstCount: z.number().int().min(1).max(1_000_000).optional(),
    replayBurstWindow: z.number().int().min(1).max(86400).optional(),
    signatureFailureCount: z.number().int().min(1).max(1_000_000).optional(),
    signatureFailureWindow: z.number().int().min(1).max(86400).optional(),
    newKeyFirstUse: z.boolean().optional(),
    newNetworkLearningDays: z.number().int().min(0).max(3650).optional(),
    newNetworkForgetDays: z.number().int().min(1).max(3650).optional(),
    dormantDays: z.number().int().min(0).max(3650).optional(),
    keyExpiringDays: z.number().int().min(0).max(3650).optional(),
    legacyAudience: z.boolean().optional(),
    keyScanInterval: z.number().int().min(10).max(7 * 86400).optional(),
    maxTrackedClients: z.number().int().min(100).max(10_000_000).optional(),
    webhooks: z.array(z.strictObject({
      url: z.url({ protocol: /^https?$/ }).refine((value) => !value.includes('#'), 'a webhook URL has no fragment'),
      kinds: z.array(z.enum(ALERT_KINDS)).min(1).optional(),
    })).max(20).optional(),
    webhookMaxAttempts: z.number().int().min(1).max(50).optional(),
    webhookRetryDelay: z.number().int().min(1).max(3600).optional(),
    webhookTimeout: z.number().int().min(1).max(120).optional(),
  }).optional(),
  log: z.strictObject({
    access: z.boolean().optional(),
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  }).optional(),
});

/** A configuration as written in a file (every key optional). */
export type KeywardConfigInput = z.infer<typeof configInputSchema>;

/** The keys allowed at `path` (for the "valid keys are ..." part of the message). */
function validKeysAt(path: readonly PropertyKey[]): string[] {
  let schema: z.ZodType = configInputSchema;
  for (const segment of path) {
    const inner = unwrap(schema);
    if (!(inner instanceof z.ZodObject)) return [];
    const next = (inner.shape as Record<string, z.ZodType>)[String(segment)];
    if (next === undefined) return [];
    schema = next;
  }
  const inner = unwrap(schema);
  return inner instanceof z.ZodObject ? Object.keys(inner.shape).filter((key) => key !== '$schema') : [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  return schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
}

/**
 * Checks `input` against the schema. Returns the parsed value, or throws one Error whose message
 * lists every problem, each naming the setting (`tokens.signingAlg`) and, for an unknown key, the
 * valid keys at that level, and through `nameOf` the environment variable that set it. `source`
 * names where the input came from (a file path, "the KEYWARD_* environment variables").
 */
export function parseConfigInput(input: unknown, source: string, nameOf: (path: readonly string[]) => string | undefined = () => undefined): KeywardConfigInput {
  const result = configInputSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const where = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      const names = issue.keys.map((key) => (where ? `${where}.${key}` : key)).join(', ');
      const valid = validKeysAt(issue.path);
      return `unknown setting ${names}: the valid settings${where ? ` under ${where}` : ''} are ${valid.join(', ')}`;
    }
    const variable = nameOf(issue.path.map(String));
    return `${where || '(top level)'}: ${issue.message}${variable === undefined ? '' : ` (set by ${variable})`}`;
  });
  throw new Error(`invalid configuration in ${source}: ${problems.join('; ')} (see docs/configuration.md)`);
}
