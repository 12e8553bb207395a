/**
 * File modes of the SQLite data: the database holds the server's private signing keys, so only the
 * owner may read it. New files are created 0600 (the WAL and SHM files take the database file's
 * mode, as SQLite creates them with it); an existing directory or file that group or others can
 * read is reported with the chmod that fixes it. Does NOT change the mode of an existing file or
 * directory (an operator may share it on purpose, e.g. with a backup group), and does NOT check
 * the parents of the data directory.
 */
import { closeSync, openSync, statSync } from 'node:fs';

/** The mode Keyward creates the data directory with. */
export const DATA_DIR_MODE = 0o700;
/** The mode Keyward creates the database, WAL, SHM and socket files with. */
export const DATA_FILE_MODE = 0o600;

/**
 * Creates the database file empty with mode 0600 when it does not exist yet (SQLite treats an empty
 * file as a new database), so the driver never creates it with the umask's mode (often 0644).
 */
export function createPrivateFile(path: string): void {
  try {
    closeSync(openSync(path, 'wx', DATA_FILE_MODE));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/**
 * One warning line per path (directory or file) that exists and that group or others may read or
 * write, naming the path and the chmod to run; [] when all are private.
 */
export function findReadableByOthers(paths: readonly { path: string; directory: boolean }[]): string[] {
  const warnings: string[] = [];
  for (const { path, directory } of paths) {
    let mode: number;
    try {
      mode = statSync(path).mode & 0o777;
    } catch {
      continue; // absent: created private later
    }
    if ((mode & 0o077) === 0) continue;
    const wanted = directory ? DATA_DIR_MODE : DATA_FILE_MODE;
    warnings.push(`${path} has mode ${mode.toString(8).padStart(4, '0')}: other users can read the server's private signing keys; run \`chmod ${wanted.toString(8)} ${path}\``);
  }
  return warnings;
}
