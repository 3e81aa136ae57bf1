import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ioReason } from '../io-reason.js';

/** A directory that cannot be used or made: named with the level that failed. */
export class DirectoryError extends Error {
  override name = 'DirectoryError';
}

/**
 * `mkdir -p`, one level at a time. Not `mkdirSync(path, { recursive: true })`:
 * on Node 20 that loops for ever where a parent exists but refuses new
 * entries with ENOENT (anything under /proc), so `hicom-sim lab -s
 * /proc/nope` hung instead of saying why.
 */
export function ensureDirectory(path: string, mode?: number): void {
  const missing: string[] = [];
  for (let p = resolve(path); ; p = dirname(p)) {
    try {
      if (!statSync(p).isDirectory()) throw new DirectoryError(`cannot use ${path} as a directory: ${p} is not a directory`);
      break;
    } catch (err) {
      if (err instanceof DirectoryError) throw err;
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new DirectoryError(`cannot use ${path} as a directory: ${ioReason(err)}`);
      missing.push(p);
      if (dirname(p) === p) break;
    }
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir, { mode });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && statSync(dir).isDirectory()) continue; // made meanwhile by another process
      throw new DirectoryError(`cannot create ${path}: ${ioReason(err)}${dir === resolve(path) ? '' : ` (at ${dir})`}`);
    }
  }
}
