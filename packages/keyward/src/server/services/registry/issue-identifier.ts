/**
 * The identifiers the registry issues (client ids, end users' `sub`): 128 random bits, base64url
 * (22 characters), never starting with `-` or `_`. One that starts with `-` reads as an option on
 * every command line (`keyward clients disable -x...`, `keyward users show -x...`), so such a draw
 * is simply drawn again (1 in 32; the identifier keeps 127.9 bits).
 */
import { randomBytes } from 'node:crypto';

/** A new random identifier that no command line takes for an option. */
export function issueIdentifier(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (id[0] !== '-' && id[0] !== '_') return id;
  }
}
