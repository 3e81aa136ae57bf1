/**
 * The Error History (Fehlerspeicher). Classes per the seed manual: only
 * class B (service-relevant) errors are signaled to the centre; class A
 * errors are shown on the display (e.g. "Revisor Alarm"); class C is kept
 * for reading only.
 */
export type ErrorClass = 'A' | 'B' | 'C';

export interface ErrorRecord {
  /** Running number within this PBX, never reused. */
  id: number;
  /** ms since epoch from the injected clock. */
  time: number;
  cls: ErrorClass;
  /** Numeric error code, 0–65535. */
  code: number;
  /** Where it happened: slot/port/trunk, free text ≤ 32 chars. */
  location: string;
  text: string;
  /** True for the function-test pseudo error of spec §3.4. */
  pseudo: boolean;
}

/** Code of the function-test pseudo error. */
export const PSEUDO_ERROR_CODE = 0xfff0;
/** Text of the function-test pseudo error (spec §3.4). */
export const FUNCTION_TEST_TEXT = 'Function test';
/** Code of the class-A "Revisor Alarm" raised at ~80 % log fill. */
export const REVISOR_ALARM_CODE = 0x0a80;

export interface ErrorHistoryState {
  nextId: number;
  records: ErrorRecord[];
}

/**
 * A record built field by field. A spread (`{ ...error, id }`) gives, in
 * Node 20's V8, nearly every object a hidden class of its own; every reader
 * of records (signaling, the encoder, the centre's decoder) then met
 * thousands of them and went megamorphic, and a fleet made a class, its
 * descriptors and a property array per record.
 */
function recordOf(id: number, e: Readonly<Omit<ErrorRecord, 'id'>>): ErrorRecord {
  return { id, time: e.time, cls: e.cls, code: e.code, location: e.location, text: e.text, pseudo: e.pseudo };
}

/** Newest-last list with a bound, so a broken board cannot eat the RAM. */
export class ErrorHistory {
  static readonly CAPACITY = 512;
  #nextId: number;
  #records: ErrorRecord[];
  #listeners: Array<(record: ErrorRecord) => void> = [];
  #revision = 0;

  constructor(state?: ErrorHistoryState) {
    this.#nextId = state?.nextId ?? 1;
    this.#records = state?.records.map((r) => recordOf(r.id, r)) ?? [];
  }

  /**
   * Changes whenever the records do (an entry added, dropped, removed or
   * cleared), so a reader can keep what it derived from them until then:
   * error signaling retrying a busy centre asks for the same ids at every
   * attempt, and in a fleet each look at a PBX's records is a cache miss.
   */
  get revision(): number {
    return this.#revision;
  }

  add(error: Omit<ErrorRecord, 'id'>): ErrorRecord {
    const record = recordOf(this.#nextId++, error);
    this.#records.push(record);
    if (this.#records.length > ErrorHistory.CAPACITY) this.#records.shift();
    this.#revision++;
    for (const l of this.#listeners) l(record);
    return record;
  }

  /**
   * The function-test pseudo error (spec §3.4), class B so that it is
   * signaled: raised by the timer, by a centre's check-in command, or by a
   * session's `signaling test`.
   */
  addFunctionTest(time: number): ErrorRecord {
    return this.add({ time, cls: 'B', code: PSEUDO_ERROR_CODE, location: '', text: FUNCTION_TEST_TEXT, pseudo: true });
  }

  /** Called for every new entry (error signaling re-arms on it). */
  onAdd(listener: (record: ErrorRecord) => void): void {
    this.#listeners.push(listener);
  }

  list(cls?: ErrorClass): ErrorRecord[] {
    return this.select((r) => cls === undefined || r.cls === cls);
  }

  /** Copies of the records `keep` accepts; only those are copied (signaling asks at every timer). */
  select(keep: (record: Readonly<ErrorRecord>) => boolean): ErrorRecord[] {
    const out: ErrorRecord[] = [];
    for (const r of this.#records) if (keep(r)) out.push(recordOf(r.id, r));
    return out;
  }

  /** The records `keep` accepts themselves, read-only: for a reader that only encodes them (a signaling report), no copies. */
  view(keep: (record: Readonly<ErrorRecord>) => boolean): ReadonlyArray<Readonly<ErrorRecord>> {
    return this.#records.filter(keep);
  }

  /** The ids of the records `keep` accepts, oldest first, without copying a record (signaling compares them at every attempt). */
  ids(keep: (record: Readonly<ErrorRecord>) => boolean): number[] {
    const out: number[] = [];
    for (const r of this.#records) if (keep(r)) out.push(r.id);
    return out;
  }

  /** Whether any record satisfies `test`, without copying. */
  some(test: (record: Readonly<ErrorRecord>) => boolean): boolean {
    return this.#records.some(test);
  }

  /** Delete the given ids (after the centre acknowledged them). Returns how many went. */
  remove(ids: Iterable<number>): number {
    const drop = new Set(ids);
    const before = this.#records.length;
    this.#records = this.#records.filter((r) => !drop.has(r.id));
    if (this.#records.length !== before) this.#revision++;
    return before - this.#records.length;
  }

  clear(): number {
    const n = this.#records.length;
    this.#records = [];
    if (n > 0) this.#revision++;
    return n;
  }

  /** Texts of class-A errors, for the display line. */
  activeAlarms(): string[] {
    return [...new Set(this.#records.filter((r) => r.cls === 'A').map((r) => r.text))];
  }

  snapshot(): ErrorHistoryState {
    return { nextId: this.#nextId, records: this.list() };
  }
}
