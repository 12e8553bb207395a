/**
 * The key holder's commands, each bundled by the build into one file of its own with commander and
 * the code it runs (dist/bin/standalone/<name>.js, by scripts/build.mjs), so that `keyward
 * assertion` starts by reading three files rather than a dozen chunks (the `cli` bench).
 *
 * Each is `commands/<name>.ts` exporting `register<Name>Command`, as every command. None of them may
 * import a package outside the workspace (the server's dependencies): the build refuses a standalone
 * bundle that imports anything but Node's built-in modules. `completion` prints every command, so it
 * is not one of them.
 */
export const STANDALONE_COMMANDS: readonly string[] = ['keygen', 'pubkey', 'assertion', 'token', 'call', 'inspect', 'doctor', 'verify', 'introspect', 'revoke'];
