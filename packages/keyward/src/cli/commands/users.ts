/**
 * `keyward users add | list | show | update | disable | enable | delete | passwd | passkey-link`: the end users who
 * sign in at the server's sign-in page. Each works on the local data directory or, with `--server
 * URL --admin-key admin.key --admin-client-id ID` (or `--admin-config admin.json`), on a running
 * server's admin API. A password is read from `--password-file`, `--password-env` or a hidden
 * prompt, never from an argument. Human output by default, `--json` with wire names.
 */
import type { Command } from 'commander';
import { readNewPassword, type NewPasswordOptions } from '../lib/read-new-password.ts';
import { addTargetOptions, type TargetOptions, type Wire } from '../lib/remote-admin.ts';
import { withUserTarget, type UpdateUserFields } from '../lib/user-target.ts';
import { CliError, EXIT, printResult } from '../output.ts';

function describeUserLines(user: Wire): string {
  return [
    `sub:             ${String(user.sub)}`,
    `username:        ${String(user.username)}`,
    ...(user.name !== undefined ? [`name:            ${String(user.name)}`] : []),
    ...(user.email !== undefined ? [`email:           ${String(user.email)}`] : []),
    `status:          ${String(user.status)}`,
    `password:        ${user.has_password ? 'set' : 'none (set one with `keyward users passwd`)'}`,
    `require passkey: ${user.require_passkey ? 'yes' : 'no'}`,
    ...(user.last_sign_in_at !== undefined ? [`last sign-in:    ${String(user.last_sign_in_at)}`] : []),
  ].join('\n');
}

function describeUserLine(user: Wire): string {
  return `${String(user.username)}  ${String(user.status)}  sub=${String(user.sub)}${user.name !== undefined ? `  ${String(user.name)}` : ''}${user.email !== undefined ? `  <${String(user.email)}>` : ''}`;
}

function limitOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new CliError(`--limit ${value} is not a whole number between 1 and 10000`, EXIT.usage);
  return n;
}

function addPasswordOptions<T extends { option: (flags: string, description: string) => T }>(command: T): T {
  return command
    .option('--password-file <file>', 'read the password from this file (one trailing newline is dropped)')
    .option('--password-env <name>', 'read the password from this environment variable');
}

/** Registers `keyward users` and its subcommands. */
export function registerUsersCommand(program: Command): void {
  const users = program.command('users').description('manage the end users who sign in (add, list, show, update, disable, enable, delete, passwd, passkey-link)');

  addPasswordOptions(addTargetOptions(users.command('add')))
    .description('add an end user (password from --password-file, --password-env or a hidden prompt; none without a terminal)')
    .requiredOption('--username <name>', 'what the user types to sign in (unique, without regard to case)')
    .option('--name <name>', 'display name (the name claim)')
    .option('--email <address>', 'email address (the email claim)')
    .option('--require-passkey', 'the user must sign in with a passkey')
    .action(async (o: TargetOptions & NewPasswordOptions & { username: string; name?: string; email?: string; requirePasskey?: boolean }) => {
      const password = await readNewPassword(o, o.username, true);
      const user = await withUserTarget(o, (t) => t.create({
        username: o.username, ...(o.name !== undefined ? { name: o.name } : {}), ...(o.email !== undefined ? { email: o.email } : {}),
        ...(password !== undefined ? { password } : {}), ...(o.requirePasskey ? { require_passkey: true } : {}),
      }));
      printResult(o.json, user, () => `added ${String(user.username)}\n${describeUserLines(user)}`);
    });

  addTargetOptions(users.command('list'))
    .description('list end users, by username')
    .option('--limit <n>', 'at most this many (default 1000)', limitOption)
    .action(async (o: TargetOptions & { limit?: number }) => {
      const list = await withUserTarget(o, (t) => t.list(o.limit ?? 1000));
      printResult(o.json, { users: list }, () => (list.length ? list.map(describeUserLine).join('\n') : 'no users yet: add one with `keyward users add --username NAME`'));
    });

  addTargetOptions(users.command('show').argument('<user>', 'username or sub'))
    .description('show an end user')
    .action(async (user: string, o: TargetOptions) => {
      const found = await withUserTarget(o, (t) => t.get(user));
      printResult(o.json, found, () => describeUserLines(found));
    });

  addTargetOptions(users.command('update').argument('<user>', 'username or sub'))
    .description('change an end user (only the options given)')
    .option('--username <name>', 'new username')
    .option('--name <name>', 'display name (empty string clears)')
    .option('--email <address>', 'email address (empty string clears)')
    .option('--require-passkey', 'the user must sign in with a passkey')
    .option('--no-require-passkey', 'the user may sign in with a password alone')
    .action(async (user: string, o: TargetOptions & { username?: string; name?: string; email?: string; requirePasskey?: boolean }) => {
      const fields: UpdateUserFields = {
        ...(o.username !== undefined ? { username: o.username } : {}),
        ...(o.name !== undefined ? { name: o.name === '' ? null : o.name } : {}),
        ...(o.email !== undefined ? { email: o.email === '' ? null : o.email } : {}),
        ...(o.requirePasskey !== undefined ? { require_passkey: o.requirePasskey } : {}),
      };
      if (Object.keys(fields).length === 0) throw new CliError('nothing to update: give at least one option (see --help)', EXIT.usage);
      const updated = await withUserTarget(o, (t) => t.update(user, fields));
      printResult(o.json, updated, () => describeUserLines(updated));
    });

  for (const [name, status] of [['disable', 'disabled'], ['enable', 'active']] as const) {
    addTargetOptions(users.command(name).argument('<user>', 'username or sub'))
      .description(status === 'disabled' ? 'disable an end user at once (its sign-in sessions end)' : 'enable a disabled end user')
      .action(async (user: string, o: TargetOptions) => {
        const updated = await withUserTarget(o, (t) => t.update(user, { status }));
        printResult(o.json, updated, () => `${String(updated.username)} is ${status}${updated.sessions_ended ? ` (${String(updated.sessions_ended)} sign-in session(s) ended)` : ''}`);
      });
  }

  addTargetOptions(users.command('delete').argument('<user>', 'username or sub'))
    .description('delete an end user, its passkeys and its sign-in sessions (its sub is never given to anyone else)')
    .requiredOption('--yes', 'confirm the deletion')
    .action(async (user: string, o: TargetOptions) => {
      const result = await withUserTarget(o, (t) => t.remove(user));
      printResult(o.json, result, () => `${user} deleted (sub ${String(result.sub)})`);
    });

  addTargetOptions(users.command('passkey-link'))
    .description('make a single-use link with which the user registers one passkey without signing in (its first passkey); valid signIn.passkeyEnrolmentSeconds (default 15 minutes)')
    .requiredOption('--username <name>', 'the user (username or sub)')
    .action(async (o: TargetOptions & { username: string }) => {
      const link = await withUserTarget(o, (t) => t.createPasskeyLink(o.username));
      printResult(o.json, link, () => [
        `passkey enrolment link for ${String(link.username)} (works once, until ${String(link.expires_at)}):`,
        `  ${String(link.enrolment_url)}`,
        'Give it to the user only, over a channel you trust: whoever opens it first can add a passkey to this account.',
      ].join('\n'));
    });

  addPasswordOptions(addTargetOptions(users.command('passwd').argument('<user>', 'username or sub')))
    .description('set an end user\'s password (hidden prompt, --password-file or --password-env); its sign-in sessions end')
    .action(async (user: string, o: TargetOptions & NewPasswordOptions) => {
      const password = (await readNewPassword(o, user)) as string;
      const updated = await withUserTarget(o, (t) => t.setPassword(user, password));
      printResult(o.json, updated, () => `password set for ${String(updated.username)}${updated.sessions_ended ? ` (${String(updated.sessions_ended)} sign-in session(s) ended)` : ''}`);
    });
}
