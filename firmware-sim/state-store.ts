import type { ErrorHistoryState } from './error-history.js';
import type { PbxType } from './pbx-type.js';
import type { UserTableState } from './user-table.js';

/** Everything a PBX keeps across a restart, apart from the protocol log (on the FMC). */
export interface PbxState {
  format: 'hicom-pbx-state';
  version: 1;
  systemId: string;
  type: PbxType;
  apsVersion: string;
  kds: Record<string, string>;
  /** True until the first change: an offline KDS loads only into such a PBX. */
  kdsIsDefault: boolean;
  users: UserTableState;
  errors: ErrorHistoryState;
  /** Whether the class-A "Revisor Alarm" is raised for the current fill crossing. */
  revisorAlarm: boolean;
  /** Sequence number of the last error report built (docs/error-report.md); absent in older files = 0. */
  reportSeq?: number;
  /** The reload switch was used; the next startup logs it (absent = no). */
  reloadPending?: boolean;
  /** The PBX's own key that seals the secrets it must use again (base64; sealed-secret.ts); made at first start. */
  boxKey?: string;
  /** LAN option (lan-check-in.ts): counters reserved, clock offset from the centre, highest command run. */
  checkIn?: CheckInPersisted;
}

export interface CheckInPersisted {
  reservedUpTo: number;
  clockOffsetMs: number;
  lastCommand: number;
}

/**
 * Where the PBX keeps its state. Contract: `save` is atomic and durable when
 * it returns (a crash leaves the old or the new state, never a mix); `load`
 * returns undefined for a PBX that never ran and throws a clear error for a
 * corrupt store. Implemented over files in src/storage/state-dir.ts; tests use
 * MemoryStateStore.
 */
export interface StateStore {
  load(): PbxState | undefined;
  save(state: PbxState): void;
}

export class MemoryStateStore implements StateStore {
  #state: string | undefined;
  saves = 0;

  load(): PbxState | undefined {
    return this.#state === undefined ? undefined : (JSON.parse(this.#state) as PbxState);
  }

  save(state: PbxState): void {
    this.#state = JSON.stringify(state);
    this.saves++;
  }
}
