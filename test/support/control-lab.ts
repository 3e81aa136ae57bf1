import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
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

/**
 * The embedded default lab with every TCP and UDP port chosen by the system,
 * so tests run beside each other and beside `npm start`; `replace` sets
 * top-level fields (its `depots`, say) and `change` edits the rest.
 */
export function writeDefaultLabConfig(dir: string, replace: Record<string, unknown> = {}, change?: (doc: DefaultLabDoc) => void): string {
  const path = join(dir, 'lab.yaml');
  const text = DEFAULT_CONFIG_YAML.replace(/127\.0\.0\.1:7\d{3}/g, '127.0.0.1:0');
  if (Object.keys(replace).length === 0 && !change) {
    writeFileSync(path, text);
    return path;
  }
  const doc = { ...(parseYaml(text) as DefaultLabDoc), ...replace };
  change?.(doc);
  writeFileSync(path, stringifyYaml(doc));
  return path;
}

/** The parts of the default configuration tests change. */
export interface DefaultLabDoc {
  pbxs: Array<Record<string, unknown>>;
  centre: { modem: string; udp: string; http: string };
  [field: string]: unknown;
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
