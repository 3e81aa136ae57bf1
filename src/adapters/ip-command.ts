import { spawnSync } from 'node:child_process';

/** `ip` (iproute2) failed; the message is ip's own last line. */
export class IpCommandError extends Error {
  override name = 'IpCommandError';
}

/** How long one `ip` call may take before it counts as failed (namespace creation is the slowest, a few ms). */
const IP_TIMEOUT_MS = 10_000;

/**
 * Run `ip ARGS…` (iproute2) and return its output; IpCommandError with its
 * message when it fails or is missing. Synchronous: the lab sets up and
 * tears down its networks at start and stop, and a link change is one call.
 */
export function ipCommand(args: readonly string[]): string {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: IP_TIMEOUT_MS });
  if (r.error) throw new IpCommandError(`ip ${args.join(' ')}: ${(r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'iproute2 is not installed' : r.error.message}`);
  if (r.status !== 0) throw new IpCommandError(`ip ${args.join(' ')}: ${(r.stderr || r.stdout).trim().split('\n').pop() ?? `exit ${r.status}`}`);
  return r.stdout;
}

/** Network namespaces that exist now (`ip netns list`), by name. */
export function listNamespaces(): string[] {
  try {
    return ipCommand(['netns', 'list']).split('\n').map((l) => l.trim().split(/\s+/)[0]).filter((n) => n !== '' && n !== undefined);
  } catch {
    return [];
  }
}
