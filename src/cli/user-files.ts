import { accessSync, constants, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { EXIT, ExitError } from '../exit-codes.js';
import { ioReason } from '../io-reason.js';

/**
 * Files the user names on the command line. Inputs are opened read-only;
 * outputs are checked before the work starts (so a long run does not end
 * in EISDIR), and every failure is one line naming the file (exit 2).
 */

export function readInputFile(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new ExitError(`cannot read ${file}: ${ioReason(err)}`, EXIT.usage);
  }
}

/** Throws unless `file` is a regular file we may read: checked before anything is asked, so a typo is not found after the password. */
export function checkReadable(file: string): void {
  try {
    if (!statSync(file).isFile()) throw new ExitError(`cannot read ${file}: it is not a regular file`, EXIT.usage);
    accessSync(file, constants.R_OK);
  } catch (err) {
    if (err instanceof ExitError) throw err;
    throw new ExitError(`cannot read ${file}: ${ioReason(err)}`, EXIT.usage);
  }
}

/**
 * Throws unless `file` can be created or overwritten: an existing regular
 * file we may write, or a new name in a writable directory. `option` (e.g.
 * "--report") is named in the message when the file came from one.
 */
export function checkWritable(file: string, option?: string): void {
  const refuse = (why: string): never => {
    throw new ExitError(`cannot write ${file}${option ? ` (${option})` : ''}: ${why}`, EXIT.usage);
  };
  let exists = true;
  try {
    if (!statSync(file).isFile()) refuse('it exists and is not a regular file');
  } catch (err) {
    if (err instanceof ExitError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') refuse(ioReason(err));
    exists = false;
  }
  try {
    accessSync(exists ? file : dirname(file), constants.W_OK);
  } catch (err) {
    refuse(ioReason(err));
  }
}

export function writeOutputFile(file: string, data: string | Uint8Array, option?: string): void {
  checkWritable(file, option);
  try {
    writeFileSync(file, data);
  } catch (err) {
    throw new ExitError(`cannot write ${file}: ${ioReason(err)}`, EXIT.usage);
  }
}
