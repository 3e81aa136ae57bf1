/**
 * One device of a running lab as a test rig drives it (docs/control.md
 * `device.*`): PBXs, their stations, the external modems, and whatever other
 * family of the fleet a lab carries (key depots). A device offers only what
 * its hardware has: a modem has no keypad, a station cannot be power-cycled
 * on its own. The control server knows devices only through this seam.
 */
export interface LabDevice {
  /** Unique in the lab: a PBX's system id, `pbxId:station`, a modem's name, a depot's device id. */
  readonly id: string;
  /** 'pbx', 'station', 'modem', 'key-depot', … */
  readonly kind: string;
  /** A JSON-ready summary for `device.list`; never holds a secret. */
  summary(): Record<string, unknown>;
  /** Cut the power and bring the device up again; `tornWrite` cuts it during the next flash write instead. */
  powerCycle?(options: PowerCycleOptions): Promise<PowerCycleResult>;
  /** Press keys on its keypad ('0'–'9', '*', '#'). */
  press?(keys: string): void;
  /** Its display, one string per line. */
  display?(): string[];
}

export interface PowerCycleOptions {
  /** Fail the power during the device's next flash write, after this many bytes of it landed. */
  tornWrite?: { afterBytes: number };
}

/** `restarted`: it is up again; `armed`: the power fails at its next flash write, and it restarts then. */
export type PowerCycleResult = { restarted: true } | { armed: true };

/** Keys a keypad has. */
export const KEYPAD_KEYS = /^[0-9*#]+$/;
