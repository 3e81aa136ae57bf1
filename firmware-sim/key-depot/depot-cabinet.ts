/**
 * The physical key depot around the firmware: which keys hang where, which
 * locks are open, the door and the mains — the world a person at the depot
 * acts on. A key can be taken or returned only while its compartment's lock
 * is open; every change is reported to the attached firmware as its sensor
 * would report it. A power cut does not move keys: the cabinet outlives any
 * firmware instance, and a rebooted firmware is attached to the same one.
 */
import type { DepotHardware } from './depot-hardware.js';

export interface CabinetSensors {
  sensorKey(compartment: number, present: boolean): void;
  sensorDoor(open: boolean): void;
  sensorTamper(): void;
  sensorMains(present: boolean): void;
}

export type CabinetRefusal = 'no-such-compartment' | 'locked' | 'empty' | 'occupied';

export class DepotCabinet implements DepotHardware {
  readonly compartments: number;
  readonly #keys: boolean[];
  readonly #unlocked: boolean[];
  #door = false;
  #mains = true;
  #firmware: CabinetSensors | undefined;

  /** All keys in their compartments unless `keys` says which are present (1-based). */
  constructor(compartments: number, keys?: number[]) {
    if (!Number.isInteger(compartments) || compartments < 1 || compartments > 255) throw new RangeError(`a depot has 1–255 compartments, not ${compartments}`);
    this.compartments = compartments;
    this.#keys = Array.from({ length: compartments + 1 }, (_, i) => i > 0 && (keys ? keys.includes(i) : true));
    this.#unlocked = new Array<boolean>(compartments + 1).fill(false);
  }

  /** Connect the firmware that gets the sensor changes (a reboot attaches the new instance; the locks start locked). */
  attach(firmware: CabinetSensors | undefined): void {
    this.#firmware = firmware;
    this.#unlocked.fill(false);
  }

  keyPresent(c: number): boolean {
    return this.#keys[c] === true;
  }

  doorOpen(): boolean {
    return this.#door;
  }

  mainsPresent(): boolean {
    return this.#mains;
  }

  setLock(c: number, unlocked: boolean): void {
    if (c >= 1 && c <= this.compartments) this.#unlocked[c] = unlocked;
  }

  isUnlocked(c: number): boolean {
    return this.#unlocked[c] === true;
  }

  /** Compartments whose key is in. */
  keys(): number[] {
    return this.#keys.flatMap((k, i) => (k ? [i] : []));
  }

  /** A person takes the key of compartment `c`. */
  take(c: number): CabinetRefusal | undefined {
    return this.#move(c, false);
  }

  /** A person puts the key back into compartment `c`. */
  putBack(c: number): CabinetRefusal | undefined {
    return this.#move(c, true);
  }

  setDoor(open: boolean): void {
    if (this.#door === open) return;
    this.#door = open;
    this.#firmware?.sensorDoor(open);
  }

  /** Somebody forces the housing: the tamper switch trips. */
  tamper(): void {
    this.#firmware?.sensorTamper();
  }

  setMains(present: boolean): void {
    if (this.#mains === present) return;
    this.#mains = present;
    this.#firmware?.sensorMains(present);
  }

  #move(c: number, present: boolean): CabinetRefusal | undefined {
    if (!Number.isInteger(c) || c < 1 || c > this.compartments) return 'no-such-compartment';
    if (!this.#unlocked[c]) return 'locked';
    if (this.#keys[c] === present) return present ? 'occupied' : 'empty';
    this.#keys[c] = present;
    this.#firmware?.sensorKey(c, present);
    return undefined;
  }
}
