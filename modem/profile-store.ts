import type { Modulation } from './negotiation.js';

/** Settings that ATZ/AT&W keep besides the S-registers (JSON-safe, so a store may be file-backed outside modem/). */
export interface ModemSettings {
  echo: boolean;
  verbose: boolean;
  quiet: boolean;
  xLevel: number;
  /** &C: 0 DCD always on, 1 DCD follows the carrier. */
  dcdMode: number;
  /** &D: 0 ignore DTR, 1 to online command, 2 hang up, 3 reset. */
  dtrMode: number;
  dialMode: 'T' | 'P';
  /** Accepted for compatibility, no effect on the simulated line (L, M, B, &K, &S). */
  speakerVolume: number;
  speakerMode: number;
  flowControl: number;
  /** +MS=<carrier>,<automode>,<min_rate>,<max_rate> (V.250 §6.4). */
  ms: { carrier: Modulation; automode: boolean; minRate: number; maxRate: number };
  /** +ES=<orig_rqst>,<orig_fbk>,<ans_fbk> (V.250 §6.5). */
  es: [number, number, number];
  /** +DS=<direction>,<compression_negotiation>,<max_dict>,<max_string> (V.42bis, V.250 §6.6). */
  ds: [number, number, number, number];
  fclass: number;
  /** +IPR=<rate> (V.250 §6.2.10): the DTE's fixed rate, 0 = follow the DTE (stored only: a pty or TCP line has no rate). */
  ipr: number;
  /** +ICF=<format>,<parity> (V.250 §6.2.11): character framing (stored only). */
  icf: [number, number];
  /** +IFC=<DCE_by_DTE>,<DTE_by_DCE> (V.250 §6.2.12): local flow control (stored only, like &K). */
  ifc: [number, number];
  /** Data pump used for outgoing calls: 'analog' or a registered one (e.g. 'x75'). */
  pump: string;
}

export interface StoredProfile {
  settings: ModemSettings;
  sRegisters: number[];
}

/** Where AT&W writes and ATZ reads (two slots, 0 and 1, as on Hayes modems); injected, so modem/ does no file I/O. */
export interface ProfileStore {
  load(slot: number): StoredProfile | undefined;
  save(slot: number, profile: StoredProfile): void;
}

export const PROFILE_SLOTS = 2;

export class MemoryProfileStore implements ProfileStore {
  readonly #slots = new Map<number, string>();

  load(slot: number): StoredProfile | undefined {
    const json = this.#slots.get(slot);
    return json === undefined ? undefined : (JSON.parse(json) as StoredProfile);
  }

  save(slot: number, profile: StoredProfile): void {
    this.#slots.set(slot, JSON.stringify(profile));
  }
}

/** Factory settings (AT&F). V.250 recommends &C1 and &D2; Hayes ships E1 Q0 V1 X4. */
export function factorySettings(): ModemSettings {
  return {
    echo: true, verbose: true, quiet: false, xLevel: 4, dcdMode: 1, dtrMode: 2, dialMode: 'T',
    speakerVolume: 1, speakerMode: 1, flowControl: 3,
    ms: { carrier: 'V32B', automode: true, minRate: 300, maxRate: 14400 },
    es: [3, 0, 2],
    ds: [3, 0, 2048, 32],
    fclass: 0,
    // V.250's recommended defaults: follow the DTE's rate, 8 data bits 1 stop bit, RTS/CTS both ways.
    ipr: 0,
    icf: [3, 3],
    ifc: [2, 2],
    pump: 'analog',
  };
}
