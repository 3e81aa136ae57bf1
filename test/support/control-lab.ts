import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONFIG_YAML } from '../../src/lab/config.js';
import { spawnLab, tempDir } from './lab-child.js';
import { LineChild } from './line-child.js';

export interface ControlLab {
  child: LineChild;
  dir: string;
  /** What the lab printed up to its ready line. */
  banner: string;
  /** The control address from the banner, e.g. `unix:/tmp/…/control.sock`. */
  address: string;
  /** The token the lab printed (a port off loopback without a token file). */
  token: string | undefined;
  /** SIGTERM and wait; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** The embedded default lab with every TCP port chosen by the system, so tests run beside each other and beside `npm start`. */
export function writeDefaultLabConfig(dir: string): string {
  const path = join(dir, 'lab.yaml');
  writeFileSync(path, DEFAULT_CONFIG_YAML.replace(/127\.0\.0\.1:7\d{3}/g, '127.0.0.1:0'));
  return path;
}

/**
 * Start `hicom-sim lab` with a control port (default: a unix socket in a
 * temp directory) on the embedded default lab, and wait for its ready line.
 * Killed in teardown whatever happens.
 */
export async function startControlLab(
  t: { teardown(fn: () => void | Promise<void>): void },
  options: { virtualTime?: boolean; control?: string; args?: string[]; config?: string } = {},
): Promise<ControlLab> {
  const dir = tempDir(t, 'hicom-control-');
  const config = options.config ?? writeDefaultLabConfig(dir);
  const control = options.control ?? `unix:${join(dir, 'control.sock')}`;
  const { child, banner } = await spawnLab(t, ['-c', config, '-s', join(dir, 'state'), '--log-level', 'warn', '--control', control, ...(options.virtualTime ? ['--virtual-time'] : []), ...(options.args ?? [])]);
  const address = /^control: (\S+) /m.exec(banner)?.[1];
  if (!address) throw new Error(`no control line in the banner:\n${banner}`);
  return {
    child,
    dir,
    banner,
    address,
    token: /^control token: (\S+)$/m.exec(banner)?.[1],
    stop: async () => {
      child.proc.kill('SIGTERM');
      return child.exited;
    },
  };
}
