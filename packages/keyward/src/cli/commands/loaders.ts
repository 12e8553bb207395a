/**
 * The commands by name, each loaded only when it runs: `keyward inspect ...` reads inspect.ts and
 * what it imports, not the server or the store. The whole list (commands/index.ts) is loaded for
 * `keyward --help`, `keyward help ...` and a name that is not here (commander then suggests one).
 * test/cli/command-loaders.test.ts checks that this table and COMMANDS name the same commands.
 */
import type { RegisterCommand } from './index.ts';

export const COMMAND_LOADERS: Readonly<Record<string, () => Promise<readonly RegisterCommand[]>>> = {
  serve: async () => [(await import('./serve.ts')).registerServeCommand],
  // clients-lifecycle.ts adds update/disable/enable/delete and `clients keys` to `clients`.
  clients: async () => {
    const [base, lifecycle] = await Promise.all([import('./clients.ts'), import('./clients-lifecycle.ts')]);
    return [base.registerClientsCommand, lifecycle.registerClientsLifecycleCommand];
  },
  keys: async () => [(await import('./keys.ts')).registerKeysCommand],
  audit: async () => [(await import('./audit.ts')).registerAuditCommand],
  keygen: async () => [(await import('./keygen.ts')).registerKeygenCommand],
  pubkey: async () => [(await import('./pubkey.ts')).registerPubkeyCommand],
  assertion: async () => [(await import('./assertion.ts')).registerAssertionCommand],
  token: async () => [(await import('./token.ts')).registerTokenCommand],
  call: async () => [(await import('./call.ts')).registerCallCommand],
  inspect: async () => [(await import('./inspect.ts')).registerInspectCommand],
  doctor: async () => [(await import('./doctor.ts')).registerDoctorCommand],
  verify: async () => [(await import('./verify.ts')).registerVerifyCommand],
  introspect: async () => [(await import('./introspect.ts')).registerIntrospectCommand],
  revoke: async () => [(await import('./revoke.ts')).registerRevokeCommand],
  completion: async () => [(await import('./completion.ts')).registerCompletionCommand],
  admin: async () => [(await import('./admin.ts')).registerAdminCommand],
  users: async () => [(await import('./users.ts')).registerUsersCommand],
  consents: async () => [(await import('./consents.ts')).registerConsentsCommand],
  alerts: async () => [(await import('./alerts.ts')).registerAlertsCommand],
  'initial-access-token': async () => [(await import('./initial-access-token.ts')).registerInitialAccessTokenCommand],
};
