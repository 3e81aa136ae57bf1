/**
 * S-registers of the Hayes/V.250 modem. Defaults and ranges are V.250's
 * where V.250 defines the register (§6.2.1–§6.2.3, §6.3) and the
 * Hayes values otherwise; a value outside a register's range is refused
 * (ERROR, V.250 §5.3.2) and the register keeps its value.
 */
export interface SRegisterDef {
  n: number;
  name: string;
  default: number;
  unit: string;
  /** Lowest and highest value the register accepts. */
  min: number;
  max: number;
  /** Source of the meaning, default and range. */
  source: string;
}

export const S_REGISTER_DEFS: readonly SRegisterDef[] = [
  { n: 0, name: 'rings before auto-answer (0 = off)', default: 0, unit: 'rings', min: 0, max: 255, source: 'V.250 §6.3 (call control)' },
  { n: 1, name: 'ring counter (read only in practice)', default: 0, unit: 'rings', min: 0, max: 255, source: 'Hayes' },
  { n: 2, name: 'escape character (>127 disables +++)', default: 43, unit: 'ASCII', min: 0, max: 255, source: 'Hayes' },
  { n: 3, name: 'command line termination character', default: 13, unit: 'ASCII', min: 0, max: 127, source: 'V.250 §6.2.1' },
  { n: 4, name: 'response formatting character', default: 10, unit: 'ASCII', min: 0, max: 127, source: 'V.250 §6.2.2' },
  { n: 5, name: 'command line editing character', default: 8, unit: 'ASCII', min: 0, max: 127, source: 'V.250 §6.2.3' },
  { n: 6, name: 'pause before blind dialling', default: 2, unit: 's', min: 2, max: 10, source: 'V.250 §6.3 (call control)' },
  { n: 7, name: 'connection completion timeout', default: 50, unit: 's', min: 1, max: 255, source: 'V.250 §6.3 (call control)' },
  { n: 8, name: 'comma dial modifier time', default: 2, unit: 's', min: 0, max: 255, source: 'V.250 §6.3 (call control)' },
  { n: 9, name: 'carrier detect response time', default: 6, unit: '0.1 s', min: 0, max: 255, source: 'Hayes' },
  { n: 10, name: 'automatic disconnect delay', default: 14, unit: '0.1 s', min: 1, max: 254, source: 'V.250 §6.3 (call control)' },
  { n: 11, name: 'DTMF tone duration', default: 95, unit: 'ms', min: 0, max: 255, source: 'Hayes' },
  { n: 12, name: 'escape guard time', default: 50, unit: '0.02 s', min: 0, max: 255, source: 'Hayes' },
  { n: 25, name: 'DTR detect time', default: 5, unit: '0.01 s', min: 0, max: 255, source: 'Hayes' },
];

export const S_REGISTER_MAX = 255;
/** Highest register number the modem accepts (S0–S99 exist, unknown ones read 0). */
export const S_REGISTER_COUNT = 100;

/** Named register numbers used in the code. */
export const S = {
  autoAnswerRings: 0,
  ringCount: 1,
  escapeChar: 2,
  cr: 3,
  lf: 4,
  backspace: 5,
  blindDialPause: 6,
  connectTimeout: 7,
  commaPause: 8,
  dtmfDuration: 11,
  guardTime: 12,
  dtrDetect: 25,
} as const;

const DEF_BY_NUMBER = new Map(S_REGISTER_DEFS.map((d) => [d.n, d]));

export class SRegisters {
  readonly #values = new Uint8Array(S_REGISTER_COUNT);

  constructor(values?: readonly number[]) {
    if (values) this.restore(values);
    else this.reset();
  }

  reset(): void {
    this.#values.fill(0);
    for (const d of S_REGISTER_DEFS) this.#values[d.n] = d.default;
  }

  get(n: number): number {
    return this.#values[n] ?? 0;
  }

  /** Returns false when the register or value is out of range (the caller answers ERROR). */
  set(n: number, value: number): boolean {
    if (!Number.isInteger(n) || n < 0 || n >= S_REGISTER_COUNT) return false;
    const def = DEF_BY_NUMBER.get(n);
    const [min, max] = def ? [def.min, def.max] : [0, S_REGISTER_MAX];
    if (!Number.isInteger(value) || value < min || value > max) return false;
    this.#values[n] = value;
    return true;
  }

  exists(n: number): boolean {
    return Number.isInteger(n) && n >= 0 && n < S_REGISTER_COUNT;
  }

  snapshot(): number[] {
    return [...this.#values];
  }

  restore(values: readonly number[]): void {
    this.reset();
    values.slice(0, S_REGISTER_COUNT).forEach((v, i) => { this.#values[i] = v; });
  }
}
