/** `keyward/core`: the same module as `@keyward/core` (the pure protocol layer), re-exported. */
export * from '@keyward/core';
