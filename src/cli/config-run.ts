import { DEFAULT_CONFIG_YAML, loadConfig } from '../lab/config.js';

/** `hicom-sim config example`. */
export function example(): void {
  process.stdout.write(DEFAULT_CONFIG_YAML);
}

/** `hicom-sim config check FILE`: the same loader and validator `hicom-sim lab` uses; a ConfigError exits 2. */
export function check(file: string): void {
  const c = loadConfig(file);
  process.stdout.write(`${file}: OK — ${c.pbxs.length} PBX(s), ${c.modems.length} modem(s), ${c.depots.length} key depot(s), state in ${c.stateDir}\n`);
}
