/**
 * Field rules of end users, shared by the registry operations, the admin API, the CLI and the
 * sign-in page (the one copy of each rule). Each check throws RegistryError('invalid') whose message
 * says what to fix, and returns the value to store.
 */
import { RegistryError } from './registry-error.ts';

/**
 * A username: 1-64 ASCII letters, digits and `. _ @ + -`, starting with a letter or digit (so it
 * never reads as a command-line option). ASCII only, so that comparing in lower case
 * (store/shared/user-rows.ts) is unambiguous: no two spellings look alike but differ.
 */
export const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/;

/** Shortest password accepted (NIST SP 800-63B §5.1.1.2: at least 8 characters). */
export const PASSWORD_MIN_LENGTH = 8;
/** Longest password accepted, in characters: bounds the work of one hash (NIST SP 800-63B allows a cap of at least 64). */
export const PASSWORD_MAX_LENGTH = 1024;

/** Checks a username (see {@link USERNAME}). */
export function checkUsername(username: string): string {
  if (!USERNAME.test(username)) {
    throw new RegistryError('invalid', 'a username is 1-64 characters of ASCII letters, digits and . _ @ + -, starting with a letter or digit');
  }
  return username;
}

/** Checks a display name (1-200 characters, no control characters); the value is trimmed. */
export function checkUserDisplayName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '' || [...trimmed].length > 200 || /[\x00-\x1f\x7f]/.test(trimmed)) {
    throw new RegistryError('invalid', 'name must be 1-200 printable characters');
  }
  return trimmed;
}

/**
 * Checks an email address: one `@`, a non-empty local part, a domain with a dot, no spaces or
 * control characters, at most 254 characters (RFC 5321 §4.5.3.1.3). Does NOT check that it
 * receives mail; the address is shown as the `email` claim, never used to sign in.
 */
export function checkEmail(email: string): string {
  if (email.length > 254 || !/^[^\s@\x00-\x1f\x7f]+@[^\s@\x00-\x1f\x7f]+\.[^\s@\x00-\x1f\x7f]+$/.test(email)) {
    throw new RegistryError('invalid', 'email must be an address like name@example.com (at most 254 characters)');
  }
  return email;
}

/**
 * Checks a new password: 8-1024 characters, any characters (NIST SP 800-63B §5.1.1.2: no
 * composition rules). Does NOT check it against lists of breached passwords.
 */
export function checkPassword(password: string): string {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH || length > PASSWORD_MAX_LENGTH) {
    throw new RegistryError('invalid', `a password must be ${PASSWORD_MIN_LENGTH}-${PASSWORD_MAX_LENGTH} characters long`);
  }
  return password;
}
