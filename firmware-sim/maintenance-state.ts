import type { Kds } from './kds.js';
import { PbxType } from './pbx-type.js';

/**
 * The running state that the maintenance actions (protocol-log format 6,
 * B2 … B8) act on — docs/maintenance.md. The KDS holds the configured
 * state a trunk starts with (trunk.N.in-service/rolling/loopback); the
 * actions change the running state until the next restart, as on the real
 * system, so they never change the KDS generation under a technician's
 * read-modify-write.
 *
 * Trunk states:
 *
 *   IN_SERVICE ◄──B2-1 in──► OUT_OF_SERVICE
 *       ▲ │ B5-1 on/off
 *       │ ▼
 *   LOOPBACK   (echoes what is sent; B2-1 out wins over loopback)
 */
export enum TrunkState {
  InService = 'in-service',
  OutOfService = 'out-of-service',
  Loopback = 'loopback',
}

export interface TrunkStatus {
  index: number;
  state: TrunkState;
  inService: boolean;
  loopback: boolean;
  rolling: boolean;
  /** Transmission errors since the last B8-1. */
  errors: number;
  /** Test frames sent over the trunk. */
  frames: number;
}

export interface BaseStationStatus {
  index: number;
  overload: boolean;
  restart: boolean;
}

export type MaintenanceResult<T> = { ok: true; value: T } | { ok: false; code: number; error: string };

/** DECT base stations per type in the simulation (docs/maintenance.md). */
export const BASE_STATIONS: Record<PbxType, number> = { [PbxType.OfficePoint]: 2, [PbxType.OfficeCom]: 4, [PbxType.OfficePro]: 8 };

/** The simulated memory map behind B3-1/B3-2 DMA (docs/maintenance.md, "Memory map"). */
export const MEMORY_MAP = {
  apsVersion: { start: 0x00_0000, size: 0x20, writable: false },
  systemId: { start: 0x00_0020, size: 0x20, writable: false },
  trunkStatus: { start: 0x00_1000, size: 0x100, writable: false },
  baseStationStatus: { start: 0x00_2000, size: 0x10, writable: true },
  scratch: { start: 0x01_0000, size: 0x1_0000, writable: true },
} as const;
export const TRUNK_RECORD_SIZE = 16;
/** Base-station status bits. */
export const BS_OVERLOAD = 0x01;
export const BS_RESTART = 0x02;
/** At most this many bytes per DMA read or write. */
export const DMA_MAX = 256;

type Region = keyof typeof MEMORY_MAP;

/** A trunk's configured items, named by its `trunk.N.in-service` path. */
interface TrunkItems {
  index: number;
  loopback: string;
  rolling: string;
}

/**
 * The trunk items of each `trunk.N.in-service` path, and null for the other
 * trunk paths, worked out once: every PBX start looks up its trunks' items,
 * and matching and building the paths anew was most of what the trunk
 * set-up allocated. One entry per distinct trunk path the process's KDSs
 * hold: the delivered tables have 2–8 trunks of five items each.
 */
const TRUNK_ITEMS = new Map<string, TrunkItems | null>();

function trunkItems(path: string): TrunkItems | null {
  let items = TRUNK_ITEMS.get(path);
  if (items === undefined) {
    const m = /^trunk\.(\d+)\.in-service$/.exec(path);
    items = m ? { index: Number(m[1]), loopback: `trunk.${m[1]}.loopback`, rolling: `trunk.${m[1]}.rolling` } : null;
    TRUNK_ITEMS.set(path, items);
  }
  return items;
}

export class MaintenanceState {
  readonly #trunks = new Map<number, TrunkStatus>();
  readonly #stationsOut = new Set<string>();
  #bs: BaseStationStatus[] = [];
  /** Allocated on the first DMA write (64 KiB per PBX would dominate a 10,000-PBX fleet's memory); zeros until then. */
  #scratch: Uint8Array | undefined;
  readonly #ident: () => { apsVersion: string; systemId: string };
  readonly #type: PbxType;
  readonly #listeners: Array<() => void> = [];

  constructor(type: PbxType, kds: Kds, ident: () => { apsVersion: string; systemId: string }) {
    this.#type = type;
    this.#ident = ident;
    this.reset(kds);
  }

  /** A (re)start: trunks as configured, no station out of service, every base station reports a restart. */
  reset(kds: Kds): void {
    this.#setUpModules(kds);
    this.#setUpBaseStations();
    this.#scratch = undefined;
    this.#changed();
  }

  /**
   * "Rücksetzen Baugruppen": the trunk and subscriber modules restart —
   * trunks as configured with their counters cleared, every station back in
   * service. Returns how many trunks and stations restarted.
   */
  restartModules(kds: Kds): { trunks: number; stations: number } {
    const stationsOut = this.#stationsOut.size;
    this.#setUpModules(kds);
    this.#changed();
    return { trunks: this.#trunks.size, stations: stationsOut };
  }

  /** The DECT base stations restart (an option reset): overload cleared, each reports a restart. Returns how many. */
  restartBaseStations(): number {
    this.#setUpBaseStations();
    return this.#bs.length;
  }

  #setUpModules(kds: Kds): void {
    this.#trunks.clear();
    for (const path of kds.pathsUnder('trunk.')) {
      const item = trunkItems(path);
      if (!item) continue;
      const { index } = item;
      const t: TrunkStatus = { index, state: TrunkState.InService, inService: kds.flag(path), loopback: kds.flag(item.loopback), rolling: kds.flag(item.rolling), errors: 0, frames: 0 };
      this.#trunks.set(index, t);
      this.#restate(t);
    }
    this.#stationsOut.clear();
  }

  #setUpBaseStations(): void {
    this.#bs = Array.from({ length: BASE_STATIONS[this.#type] }, (_, i) => ({ index: i + 1, overload: false, restart: true }));
  }

  /** A configured value changed in the KDS: the running trunk follows it. */
  applyConfig(path: string, value: string): void {
    const m = /^trunk\.(\d+)\.(in-service|loopback|rolling)$/.exec(path);
    const t = m ? this.#trunks.get(Number(m[1])) : undefined;
    if (!m || !t) return;
    const on = value === 'yes';
    if (m[2] === 'in-service') t.inService = on;
    else if (m[2] === 'loopback') t.loopback = on;
    else t.rolling = on;
    this.#restate(t);
    this.#changed();
  }

  /** Called after every change of service state (the lab wires trunks into the network). */
  onChange(listener: () => void): void {
    this.#listeners.push(listener);
  }

  #changed(): void {
    for (const l of this.#listeners) l();
  }

  #restate(t: TrunkStatus): void {
    t.state = !t.inService ? TrunkState.OutOfService : t.loopback ? TrunkState.Loopback : TrunkState.InService;
  }

  trunks(): TrunkStatus[] {
    return [...this.#trunks.values()].map((t) => ({ ...t }));
  }

  trunk(index: number): MaintenanceResult<TrunkStatus> {
    const t = this.#trunks.get(index);
    if (!t) return { ok: false, code: 404, error: `no trunk ${index} (trunks 1–${this.#trunks.size})` };
    return { ok: true, value: { ...t } };
  }

  /** True while at least one trunk is in service: calls from outside can come in. */
  anyTrunkInService(): boolean {
    return [...this.#trunks.values()].some((t) => t.inService);
  }

  #edit(index: number, change: (t: TrunkStatus) => void): MaintenanceResult<TrunkStatus> {
    const t = this.#trunks.get(index);
    if (!t) return { ok: false, code: 404, error: `no trunk ${index} (trunks 1–${this.#trunks.size})` };
    change(t);
    this.#restate(t);
    this.#changed();
    return { ok: true, value: { ...t } };
  }

  setTrunkInService(index: number, on: boolean): MaintenanceResult<TrunkStatus> {
    return this.#edit(index, (t) => (t.inService = on));
  }

  setLoopback(index: number, on: boolean): MaintenanceResult<TrunkStatus> {
    return this.#edit(index, (t) => (t.loopback = on));
  }

  setRolling(index: number, on: boolean): MaintenanceResult<TrunkStatus> {
    return this.#edit(index, (t) => (t.rolling = on));
  }

  /** B8-1: reset error counters of one trunk or (undefined) all; returns how many errors were cleared. */
  clearErrors(index: number | undefined): MaintenanceResult<number> {
    const list = index === undefined ? [...this.#trunks.values()] : [this.#trunks.get(index)];
    if (list.some((t) => t === undefined)) return { ok: false, code: 404, error: `no trunk ${index} (trunks 1–${this.#trunks.size})` };
    let n = 0;
    for (const t of list as TrunkStatus[]) {
      n += t.errors;
      t.errors = 0;
    }
    return { ok: true, value: n };
  }

  /** A line fault seen on a trunk (fault injection, or a test frame sent while out of service). */
  countError(index: number): void {
    const t = this.#trunks.get(index);
    if (t) t.errors++;
  }

  /**
   * Send a test frame over a trunk: a trunk in loopback returns it, one out
   * of service refuses it and counts an error, one in service sends it on.
   */
  transmit(index: number, data: Uint8Array): MaintenanceResult<{ echo: Buffer | undefined }> {
    const t = this.#trunks.get(index);
    if (!t) return { ok: false, code: 404, error: `no trunk ${index} (trunks 1–${this.#trunks.size})` };
    if (t.state === TrunkState.OutOfService) {
      t.errors++;
      return { ok: false, code: 503, error: `trunk ${index} is out of service` };
    }
    t.frames++;
    return { ok: true, value: { echo: t.state === TrunkState.Loopback ? Buffer.from(data) : undefined } };
  }

  stationInService(station: string): boolean {
    return !this.#stationsOut.has(station);
  }

  setStationInService(station: string, on: boolean): void {
    if (on) this.#stationsOut.delete(station);
    else this.#stationsOut.add(station);
    this.#changed();
  }

  stationsOutOfService(): string[] {
    return [...this.#stationsOut];
  }

  baseStations(): BaseStationStatus[] {
    return this.#bs.map((b) => ({ ...b }));
  }

  /** An overload reported by a base station (fault injection). */
  setOverload(index: number): void {
    const b = this.#bs[index - 1];
    if (b) b.overload = true;
  }

  /** B4-1/B4-2: clear a flag on one base station or (undefined) all; returns how many had it set. */
  clearBaseStation(flag: 'overload' | 'restart', index: number | undefined): MaintenanceResult<number> {
    if (index !== undefined && !this.#bs[index - 1]) return { ok: false, code: 404, error: `no base station ${index} (base stations 1–${this.#bs.length})` };
    const list = index === undefined ? this.#bs : [this.#bs[index - 1]];
    let n = 0;
    for (const b of list) {
      if (b[flag]) n++;
      b[flag] = false;
    }
    return { ok: true, value: n };
  }

  // --- DMA ----------------------------------------------------------------

  #region(address: number, length: number): MaintenanceResult<{ name: Region; offset: number }> {
    if (!Number.isInteger(address) || !Number.isInteger(length) || length < 1 || length > DMA_MAX) return { ok: false, code: 422, error: `length must be 1–${DMA_MAX} bytes` };
    for (const [name, r] of Object.entries(MEMORY_MAP) as Array<[Region, (typeof MEMORY_MAP)[Region]]>) {
      if (address >= r.start && address + length <= r.start + r.size) return { ok: true, value: { name, offset: address - r.start } };
    }
    return { ok: false, code: 422, error: `0x${address.toString(16)}+${length} is not inside one mapped region (docs/maintenance.md)` };
  }

  #regionBytes(name: Region): Uint8Array {
    const r = MEMORY_MAP[name];
    const out = new Uint8Array(r.size);
    switch (name) {
      case 'apsVersion':
        out.set(Buffer.from(this.#ident().apsVersion, 'latin1').subarray(0, r.size));
        break;
      case 'systemId':
        out.set(Buffer.from(this.#ident().systemId, 'latin1').subarray(0, r.size));
        break;
      case 'trunkStatus':
        for (const t of this.#trunks.values()) {
          const rec = Buffer.alloc(TRUNK_RECORD_SIZE);
          rec.writeUInt8([TrunkState.InService, TrunkState.OutOfService, TrunkState.Loopback].indexOf(t.state), 0);
          rec.writeUInt8((t.inService ? 1 : 0) | (t.loopback ? 2 : 0) | (t.rolling ? 4 : 0), 1);
          rec.writeUInt32BE(t.errors, 4);
          rec.writeUInt32BE(t.frames, 8);
          const at = (t.index - 1) * TRUNK_RECORD_SIZE;
          if (at + TRUNK_RECORD_SIZE <= r.size) out.set(rec, at);
        }
        break;
      case 'baseStationStatus':
        this.#bs.forEach((b, i) => (out[i] = (b.overload ? BS_OVERLOAD : 0) | (b.restart ? BS_RESTART : 0)));
        break;
      case 'scratch':
        return this.#scratch ?? out;
    }
    return out;
  }

  /** B3-1: read `length` bytes at `address`. */
  dmaRead(address: number, length: number): MaintenanceResult<Buffer> {
    const r = this.#region(address, length);
    if (!r.ok) return r;
    return { ok: true, value: Buffer.from(this.#regionBytes(r.value.name).subarray(r.value.offset, r.value.offset + length)) };
  }

  /** B3-2: write bytes at `address`; read-only regions refuse. Checked with `dmaCheckWrite` before logging. */
  dmaWrite(address: number, data: Uint8Array): MaintenanceResult<number> {
    const checked = this.dmaCheckWrite(address, data.length);
    if (!checked.ok) return checked;
    const { name, offset } = checked.value;
    if (name === 'scratch') (this.#scratch ??= new Uint8Array(MEMORY_MAP.scratch.size)).set(data, offset);
    else {
      data.forEach((v, i) => {
        const b = this.#bs[offset + i];
        if (!b) return;
        b.overload = (v & BS_OVERLOAD) !== 0;
        b.restart = (v & BS_RESTART) !== 0;
      });
    }
    return { ok: true, value: data.length };
  }

  dmaCheckWrite(address: number, length: number): MaintenanceResult<{ name: Region; offset: number }> {
    const r = this.#region(address, length);
    if (!r.ok) return r;
    if (!MEMORY_MAP[r.value.name].writable) return { ok: false, code: 403, error: `0x${address.toString(16)} is in the read-only ${r.value.name} region` };
    return r;
  }
}
