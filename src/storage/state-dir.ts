import { existsSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { PbxState, StateStore } from '../../firmware-sim/state-store.js';
import { writeFileAtomic } from './atomic-file.js';
import { ensureDirectory } from './ensure-directory.js';

/**
 * A PBX's state directory:
 *   <dir>/pbx.json   KDS, user table (hashes only), Error History
 *   <dir>/fmc.img    the 10 MB flash memory card with the protocol log
 * `pbx.json` is replaced atomically, so a kill mid-save leaves the previous
 * state; left-over temp files from such a kill are removed at open.
 */
export class StateDir implements StateStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
    ensureDirectory(dir, 0o700);
    for (const f of readdirSync(dir)) if (/^pbx\.json\.tmp-\d+$/.test(f)) unlinkSync(join(dir, f));
  }

  get statePath(): string {
    return join(this.dir, 'pbx.json');
  }

  get fmcPath(): string {
    return join(this.dir, 'fmc.img');
  }

  load(): PbxState | undefined {
    if (!existsSync(this.statePath)) return undefined;
    let state: PbxState;
    try {
      state = JSON.parse(readFileSync(this.statePath, 'utf8')) as PbxState;
    } catch (err) {
      throw new Error(`${this.statePath} is not readable PBX state (${(err as Error).message}); restore it or remove the state directory to start from the delivered state`);
    }
    if (state.format !== 'hicom-pbx-state' || state.version !== 1) throw new Error(`${this.statePath} is not a hicom-sim PBX state of version 1`);
    return state;
  }

  save(state: PbxState): void {
    writeFileAtomic(this.statePath, JSON.stringify(state, null, 1));
  }
}
