/**
 * `keyward`: the pure protocol layer. The other entry points are `keyward/client` (SDK),
 * `keyward/verify` (API middleware) and the `keyward` command.
 */
export * from '@keyward/core';
