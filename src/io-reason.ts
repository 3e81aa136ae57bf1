/**
 * The few words a user needs for a failed file or socket operation, instead
 * of Node's "ENOENT: no such file or directory, open '/x'" with its stack:
 * callers put the path or address in front themselves.
 */
const REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on device',
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this machine',
  ECONNREFUSED: 'connection refused (nothing listens there)',
  ECONNRESET: 'connection reset by the other side',
  EHOSTUNREACH: 'host unreachable',
  ENOTFOUND: 'host name not found',
  ETIMEDOUT: 'timed out',
};

export function ioReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return (e?.code !== undefined ? REASONS[e.code] : undefined) ?? String(e?.message ?? err).replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
}

/** True for a Node system error (it has an errno code such as ENOENT). */
export function isSystemError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && /^E[A-Z]+$/.test((err as NodeJS.ErrnoException).code!);
}
