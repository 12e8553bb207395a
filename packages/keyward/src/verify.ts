/** `keyward/verify`: the same module as `@keyward/verify` (API middleware), re-exported. */
export * from '@keyward/verify';
