import { checkValue, resolveItem, type KdsItemSpec } from './kds-schema.js';
import { defaultStationCount, PbxType } from './pbx-type.js';

/**
 * The customer database (Kundendatenspeicher): a flat, ordered map of item
 * paths to string values, checked against kds-schema.ts. Flat on purpose:
 * a read-modify-write diff, the one-to-one protocol logging of changes and
 * the per-item rights all become a loop over keys.
 */
export interface KdsImage {
  format: 'hicom-kds';
  version: 1;
  /** The system the data was read from; '' for an offline KDS. */
  systemId: string;
  type: PbxType;
  /** System version asked by the offline wizard, or the PBX's APS version. */
  systemVersion: string;
  /** Fingerprint of the PBX's KDS at read time; '' for an offline KDS. */
  baseGeneration: string;
  items: Record<string, string>;
}

export type SetResult = { ok: true; spec: KdsItemSpec; address: string[]; old: string; value: string; note?: string } | { ok: false; code: 404 | 422; error: string };

export class Kds {
  /**
   * The items as they were when this KDS was made — for a delivered KDS the
   * one table of its PBX type, shared by every PBX of that type and never
   * written — and below them the values set since. Copy-on-write: a fleet of
   * 100,000 PBXs held 100,000 copies of a ~350-item table (14 KiB a PBX, a
   * third of an idle PBX's heap) where each PBX changes a handful.
   */
  #base: ReadonlyMap<string, string>;
  #own: Map<string, string>;
  #revision = 0;

  constructor(items: Iterable<readonly [string, string]>) {
    this.#base = new Map(items);
    this.#own = new Map();
  }

  static defaults(type: PbxType): Kds {
    let items = DEFAULTS.get(type);
    if (!items) {
      items = new Map(defaultItems(type));
      DEFAULTS.set(type, items);
    }
    return Kds.#over(items, new Map());
  }

  static fromImage(image: KdsImage): Kds {
    return new Kds(Object.entries(image.items));
  }

  /** A KDS on a shared base table with its own values (the base is never written). */
  static #over(base: ReadonlyMap<string, string>, own: Map<string, string>): Kds {
    const kds = new Kds([]);
    kds.#base = base;
    kds.#own = own;
    return kds;
  }

  /**
   * Changes whenever a value is stored, so that a reader may keep what it
   * derived from the items until then: error signaling reads the same
   * handful of items at every attempt, and in a fleet each look into a
   * PBX's tables is a cache miss.
   */
  get revision(): number {
    return this.#revision;
  }

  has(path: string): boolean {
    return this.#own.has(path) || this.#base.has(path);
  }

  get(path: string): string | undefined {
    const own = this.#own.get(path);
    return own === undefined ? this.#base.get(path) : own;
  }

  /** Typed helpers for the firmware's own reads. */
  flag(path: string): boolean {
    return this.get(path) === 'yes';
  }

  int(path: string): number {
    return Number(this.get(path) ?? 0);
  }

  /** Every path in order: the base table's, then those stored since that it lacks. */
  paths(): string[] {
    const out = [...this.#base.keys()];
    for (const path of this.#own.keys()) if (!this.#base.has(path)) out.push(path);
    return out;
  }

  /**
   * The paths that start with `prefix`, in the order of `paths()`. The base
   * table's share is worked out once per table and prefix, since every PBX
   * of a type shares its delivered table: each PBX start looks for its
   * trunks, and copying all ~350 paths to find them was a sixth of what a
   * fleet PBX allocated at its start.
   */
  pathsUnder(prefix: string): readonly string[] {
    let byPrefix = UNDER.get(this.#base);
    if (!byPrefix) UNDER.set(this.#base, (byPrefix = new Map()));
    let under = byPrefix.get(prefix);
    if (!under) byPrefix.set(prefix, (under = [...this.#base.keys()].filter((path) => path.startsWith(prefix))));
    let out: string[] | undefined;
    for (const path of this.#own.keys()) if (path.startsWith(prefix) && !this.#base.has(path)) (out ??= [...under]).push(path);
    return out ?? under;
  }

  entries(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const [path, value] of this.#base) out.push([path, this.#own.get(path) ?? value]);
    for (const [path, value] of this.#own) if (!this.#base.has(path)) out.push([path, value]);
    return out;
  }

  /**
   * Check and store one item. Secret items must be handed in already hashed
   * through `setStored` — this method is for plain values.
   */
  set(path: string, raw: string): SetResult {
    const item = resolveItem(path);
    if (!item || !this.has(path)) return { ok: false, code: 404, error: `no KDS item ${path}` };
    const checked = checkValue(item.spec.kind, raw);
    if (!checked.ok) return { ok: false, code: 422, error: `${path}: ${checked.error}` };
    const old = this.get(path) ?? '';
    this.#own.set(path, checked.value);
    this.#revision++;
    return { ok: true, spec: item.spec, address: item.address, old, value: checked.value, note: checked.note };
  }

  /** Store an already-checked value (secret hashes, or a whole-image write). */
  setStored(path: string, stored: string): void {
    this.#own.set(path, stored);
    this.#revision++;
  }

  /** Paths whose values differ between this and `other`, in this KDS's order. */
  diff(other: Kds): string[] {
    const changed: string[] = [];
    for (const [path, value] of this.entries()) if (other.get(path) !== value) changed.push(path);
    for (const path of other.paths()) if (!this.has(path)) changed.push(path);
    return changed;
  }

  clone(): Kds {
    return Kds.#over(this.#base, new Map(this.#own));
  }
}

/** `Kds.pathsUnder` of each base table, by prefix (the tables are never written, so the lists stay true). */
const UNDER = new WeakMap<ReadonlyMap<string, string>, Map<string, readonly string[]>>();

/**
 * The delivered items of each PBX type, built once: every default KDS shares
 * these path strings. Built per PBX, a fleet of 10,000 held 10,000 copies of
 * each of the ~350 paths (19 KiB a PBX, half of an idle PBX's heap).
 */
const DEFAULTS = new Map<PbxType, ReadonlyMap<string, string>>();

function defaultItems(type: PbxType): ReadonlyArray<readonly [string, string]> {
  const items: Array<[string, string]> = [];
  const add = (path: string, value: string): void => {
    items.push([path, value]);
  };
  const stations = defaultStationCount(type);
  for (let i = 0; i < stations; i++) {
    const n = String(100 + i);
    add(`station.${n}.name`, '');
    // The first ports are UP0/E; terminal administration works on the first two only.
    add(`station.${n}.port`, i < Math.ceil(stations / 2) ? `UP0E-${i + 1}` : `a/b-${i + 1 - Math.ceil(stations / 2)}`);
    add(`station.${n}.device`, i < Math.ceil(stations / 2) ? 'optiset-e-standard' : 'analog');
    add(`station.${n}.code-lock`, 'no');
  }
  for (let i = 1; i <= 20; i++) add(`speeddial.central.${i}`, '');
  for (let s = 0; s < Math.min(stations, 4); s++) for (let k = 1; k <= 4; k++) add(`speeddial.station.${100 + s}.${k}`, '');
  for (let s = 0; s < Math.min(stations, 4); s++) for (let k = 1; k <= 4; k++) add(`namekey.${100 + s}.${k}`, '');
  // No PIN: the default ("XXXXX") opens nothing.
  add('pin', '');
  const trunks = { OfficePoint: 2, OfficeCom: 4, OfficePro: 8 }[type];
  for (let t = 1; t <= trunks; t++) {
    add(`trunk.${t}.number`, '');
    add(`trunk.${t}.type`, 'isdn-s0');
    add(`trunk.${t}.in-service`, 'yes');
    add(`trunk.${t}.rolling`, 'no');
    add(`trunk.${t}.loopback`, 'no');
  }
  add('modem.imod.number', '791');
  add('modem.imod.did', '791');
  add('modem.x75.number', '792');
  add('modem.x75.did', '792');
  add('modem.x75.channels', '1');
  for (let i = 1; i <= 6; i++) {
    add(`callback.${i}.number`, '');
    add(`callback.${i}.code`, '');
    add(`callback.${i}.x75`, 'no');
  }
  add('signaling.enabled', 'no');
  add('signaling.interval', '15');
  add('signaling.functest', 'no');
  add('signaling.functest-days', '1');
  add('signaling.functest-spread', '0');
  add('dtmf.passive', 'no');
  add('dtmf.active', 'no');
  add('dtmf.password', '');
  add('lan.enabled', 'no');
  add('lan.centre', '');
  add('lan.interval', '1');
  add('lan.key', '');
  add('lan.teleservice', 'no');
  add('lan.service-network', '');
  add('c1.system-name', `Hicom ${type}`);
  add('c1.country', 'DE');
  add('c1.language', 'de');
  add('c1.date-format', 'DD.MM.YY');
  add('c1.outside-prefix', '0');
  add('c2.ring-timeout', '30');
  add('c2.recall-timeout', '45');
  for (let i = 1; i <= Math.min(trunks, 4); i++) add(`c3.s0.${i}.mode`, 'p2mp');
  for (let i = 1; i <= 4; i++) add(`c5.rule.${i}`, '');
  add('c6.enabled', 'yes');
  for (let i = 1; i <= 4; i++) add(`c7.route.${i}.name`, i === 1 ? 'Amt' : '');
  for (let i = 1; i <= 2; i++) add(`c8.door.${i}.station`, '');
  for (let i = 1; i <= 4; i++) add(`c9.ucd.${i}.flag`, 'no');
  add('c10.counters-cleared', '0');
  add('charge.unit-price', '120');
  add('charge.currency', 'EUR');
  for (let s = 0; s < stations; s++) add(`charge.counter.${100 + s}`, '0');
  add('charge.output.baud', '9600');
  add('dev.trace-mask', '0');
  add('dev.watchdog', 'yes');
  return items;
}
