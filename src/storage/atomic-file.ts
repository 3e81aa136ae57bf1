import { closeSync, fsyncSync, linkSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Replace `path` with `data` so that a crash at any moment leaves either the
 * old or the new content: write a temp file beside it, fsync, rename over,
 * fsync the directory.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string, mode = 0o600): void {
  publish(path, writeTemp(path, data, mode), renameSync);
}

/**
 * Create `path` with `data` (mode 0600) only if it does not exist yet, so
 * that it appears whole or not at all: temp file, fsync, hard link into
 * place (which, unlike rename, never replaces), fsync the directory.
 * Throws an error with code EEXIST when another process created it first.
 */
export function createFileAtomic(path: string, data: Uint8Array | string): void {
  publish(path, writeTemp(path, data), linkSync, true);
}

function writeTemp(path: string, data: Uint8Array | string, mode = 0o600): string {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return tmp;
}

function publish(path: string, tmp: string, place: (from: string, to: string) => void, removeTemp = false): void {
  try {
    place(tmp, path);
  } catch (err) {
    removeQuietly(tmp);
    throw err;
  }
  if (removeTemp) removeQuietly(tmp);
  const dirFd = openSync(dirname(path), 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // the temp file is gone already
  }
}
