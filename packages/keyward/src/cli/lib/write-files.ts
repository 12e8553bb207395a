/**
 * Writing output files: all or nothing, never over an existing file without `--force`, private keys
 * with mode 0600.
 */
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CliError, EXIT } from '../output.ts';

/** One file to write. */
export interface OutputFile {
  readonly path: string;
  readonly content: string;
  /** 0o600 for private keys, 0o644 otherwise. */
  readonly mode: number;
}

/**
 * Writes every file, after checking that none exists (unless `force`). Refuses before writing
 * anything, so a refusal leaves the directory unchanged. Creates missing parent directories.
 */
export function writeOutputFiles(files: readonly OutputFile[], force: boolean): void {
  if (!force) {
    const existing = files.filter((file) => existsSync(file.path)).map((file) => file.path);
    if (existing.length > 0) throw new CliError(`${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}: choose another --out, or pass --force to overwrite`, EXIT.usage);
  }
  for (const file of files) {
    mkdirSync(dirname(file.path), { recursive: true });
    // The mode applies at creation; an overwritten file is chmod'ed BEFORE the new content goes in,
    // so a private key is never readable by others, not even for a moment.
    if (existsSync(file.path)) chmodSync(file.path, file.mode);
    writeFileSync(file.path, file.content, { mode: file.mode });
    chmodSync(file.path, file.mode);
  }
}
