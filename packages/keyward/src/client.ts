/** `keyward/client`: the same module as `@keyward/client` (the key holder's SDK), re-exported. */
export * from '@keyward/client';
