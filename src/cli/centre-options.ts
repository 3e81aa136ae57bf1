import type { Command } from 'commander';

/** The state directory every command defaults to (the lab's `stateDir`). */
export const DEFAULT_STATE_DIR = './hicom-state';

export interface CentreDbOptions {
  db?: string;
  state: string;
}

/** `--db` and `-s`: the same pair in every centre command, so that processes given the same ones share a database and a master key. */
export function addCentreDbOptions(cmd: Command): Command {
  return cmd
    .option('--db <spec>', 'the centre database: sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE (default: sqlite:<state>/centre/centre.db)')
    .option('-s, --state <dir>', 'state directory (master key in <state>/centre/master.key unless HICOM_MASTER_KEY is set)', DEFAULT_STATE_DIR);
}
