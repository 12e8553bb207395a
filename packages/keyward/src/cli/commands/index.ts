/**
 * Every command of the `keyward` binary, each registered by its own module.
 * Add a command: write `commands/<name>.ts` exporting `register<Name>Command(program)` and list it here.
 */
import type { Command } from 'commander';
import { registerServeCommand } from './serve.ts';
import { registerClientsCommand } from './clients.ts';
import { registerKeysCommand } from './keys.ts';
import { registerAuditCommand } from './audit.ts';
import { registerKeygenCommand } from './keygen.ts';
import { registerPubkeyCommand } from './pubkey.ts';
import { registerAssertionCommand } from './assertion.ts';
import { registerTokenCommand } from './token.ts';
import { registerCallCommand } from './call.ts';
import { registerInspectCommand } from './inspect.ts';
import { registerDoctorCommand } from './doctor.ts';
import { registerVerifyCommand } from './verify.ts';
import { registerIntrospectCommand } from './introspect.ts';
import { registerRevokeCommand } from './revoke.ts';
import { registerCompletionCommand } from './completion.ts';
import { registerClientsLifecycleCommand } from './clients-lifecycle.ts';
import { registerAdminCommand } from './admin.ts';
import { registerInitialAccessTokenCommand } from './initial-access-token.ts';
import { registerUsersCommand } from './users.ts';
import { registerConsentsCommand } from './consents.ts';
import { registerAlertsCommand } from './alerts.ts';

export type RegisterCommand = (program: Command) => void;

export const COMMANDS: readonly RegisterCommand[] = [
  registerServeCommand,
  registerClientsCommand,
  registerKeysCommand,
  registerAuditCommand,
  registerKeygenCommand,
  registerPubkeyCommand,
  registerAssertionCommand,
  registerTokenCommand,
  registerCallCommand,
  registerInspectCommand,
  registerDoctorCommand,
  registerVerifyCommand,
  registerIntrospectCommand,
  registerRevokeCommand,
  registerCompletionCommand,
  // After registerClientsCommand: adds update/disable/enable/delete and `clients keys` to `clients`.
  registerClientsLifecycleCommand,
  registerAdminCommand,
  registerInitialAccessTokenCommand,
  registerUsersCommand,
  registerConsentsCommand,
  registerAlertsCommand,
];
