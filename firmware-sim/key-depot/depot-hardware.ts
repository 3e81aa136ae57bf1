/**
 * The depot's electromechanics as its firmware sees them: per-compartment
 * key sensors and locks, the door contact, the mains monitor. The firmware
 * reads sensors and drives locks through this port; the sensors' changes
 * reach it through `KeyDepot.sensor*()`. `DepotCabinet` is the simulated
 * cabinet behind it; a rig with real hardware would put its I/O here.
 */
export interface DepotHardware {
  /** Compartments 1…n, each with one key slot and one lock. */
  readonly compartments: number;
  keyPresent(compartment: number): boolean;
  doorOpen(): boolean;
  mainsPresent(): boolean;
  /** Drive a compartment's lock; locks are fail-secure (a dead depot leaves them locked). */
  setLock(compartment: number, unlocked: boolean): void;
}
