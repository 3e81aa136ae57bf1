/**
 * The encrypted JSON bodies of the check-in telegram (spec §5.2;
 * docs/check-in-telegram.md §3 is the reference, keep the two in step).
 *
 * Parsing is strict where the contract is fixed (counters, times, event
 * sequence numbers, nak reasons) and open where it must grow: unknown
 * top-level keys are ignored, event and command types are any short
 * lower-case name, and their other fields are carried as JSON values, so a
 * newer device or centre never makes an older peer drop a whole telegram.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Largest value of the telegram's u32 fields (counter, time, event seq, command id). */
export const U32_MAX = 0xffff_ffff;
/** Event and command type names: lower case, digits and '-', 1–32 characters. */
export const TYPE_NAME = /^[a-z][a-z0-9-]{0,31}$/;

/** Nak reasons of spec §5.2. */
export const NAK_REASONS = ['replay', 'clock-skew'] as const;
export type NakReason = (typeof NAK_REASONS)[number];

/** One event a device reports: its own sequence number (never reused by the device), its clock, a type, and the type's fields. */
export interface DeviceEvent {
  seq: number;
  /** Unix seconds of the device's clock when the event happened. */
  time: number;
  type: string;
  [field: string]: JsonValue;
}

/** A command as it rides in an ack: an id the centre chose (rising per device) and a type; the device reads the rest (`parseCommand`). */
export interface CommandEnvelope {
  id: number;
  type: string;
  [field: string]: JsonValue;
}

/** Device → centre. A bare heartbeat is `{}`. */
export interface CheckInBody {
  /** The device's current state (free form per kind, docs/check-in-telegram.md §3.1). */
  status?: JsonObject;
  events?: DeviceEvent[];
}

/** Centre → device, sent only after the telegram and its events are committed. */
export interface AckBody {
  counter: number;
  serverTime: number;
  /** Event seqs now stored at the centre (also those it already had): the device may delete exactly these. */
  accepted: number[];
  commands: CommandEnvelope[];
}

export interface NakBody {
  counter: number;
  reason: NakReason;
  serverTime: number;
}

/** The commands this project's devices understand (docs/check-in-telegram.md §3.3). */
export type DeviceCommand =
  | { id: number; type: 'pin-add'; user: string; hash: string; compartments: number[] | undefined }
  | { id: number; type: 'pin-remove'; user: string }
  | { id: number; type: 'release'; compartment: number }
  | { id: number; type: 'interval'; seconds: number }
  | { id: number; type: 'test' };

/** Check-in interval bounds a command may set (seconds). */
export const MIN_INTERVAL_S = 10;
export const MAX_INTERVAL_S = 86_400;
/** A depot user's name: printable, 1–32 characters (it appears in events and on the 16-character display). */
export const MAX_USER_NAME = 32;
/**
 * A PIN hash a depot accepts: `scrypt$N$r$p$SALT$HASH` with base64 salt and
 * hash, N a power of two up to 2^17, r ≤ 16, p ≤ 4 — bounds that keep one
 * PIN check on a depot's CPU and memory (N·r·128 bytes) sane.
 */
export const PIN_HASH_PATTERN = /^scrypt\$(\d{1,6})\$(\d{1,2})\$(\d)\$[A-Za-z0-9+/]{8,64}={0,2}\$[A-Za-z0-9+/]{16,128}={0,2}$/;
export const MAX_PIN_HASH_COST = 1 << 17;

/** Is `hash` a scrypt hash within the bounds a depot checks PINs against? */
export function isPinHash(hash: string): boolean {
  const m = PIN_HASH_PATTERN.exec(hash);
  if (!m) return false;
  const [n, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return n >= 2 && n <= MAX_PIN_HASH_COST && (n & (n - 1)) === 0 && r >= 1 && r <= 16 && p >= 1 && p <= 4;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const fail = (error: string): { ok: false; error: string } => ({ ok: false, error });

export function isU32(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= U32_MAX;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A type a receiver takes from another team's device: any 1–64 printable characters (ours follow TYPE_NAME). */
const FOREIGN_TYPE = /^[\x20-\x7e]{1,64}$/;
/** The type of an event that came without one. */
export const UNTYPED_EVENT = 'event';

/**
 * Spec §5.2 asks only that each event carry the device's own sequence
 * number; the rest is our convention. So a receiver keeps any event with a
 * u32 `seq`: a missing or non-u32 `time` becomes the telegram's time (the
 * value sent kept as `timeAsSent`), a missing or odd `type` becomes
 * "event" (kept as `typeAsSent`) — a device of another team is heard, not
 * silently dropped.
 */
function parseEvent(v: unknown, i: number, telegramTime: number): Parsed<DeviceEvent> {
  if (!isObject(v)) return fail(`events[${i}] is not an object`);
  if (!isU32(v.seq)) return fail(`events[${i}].seq is not a u32`);
  const e: JsonObject = { ...v };
  if (!isU32(v.time)) {
    e.time = telegramTime;
    if (v.time !== undefined) e.timeAsSent = v.time;
  }
  if (typeof v.type !== 'string' || !FOREIGN_TYPE.test(v.type)) {
    e.type = UNTYPED_EVENT;
    if (v.type !== undefined) e.typeAsSent = v.type;
  }
  return { ok: true, value: e as DeviceEvent };
}

function parseEnvelope(v: unknown, i: number): Parsed<CommandEnvelope> {
  if (!isObject(v)) return fail(`commands[${i}] is not an object`);
  if (!isU32(v.id)) return fail(`commands[${i}].id is not a u32`);
  if (typeof v.type !== 'string' || !TYPE_NAME.test(v.type)) return fail(`commands[${i}].type is not a type name`);
  return { ok: true, value: v as CommandEnvelope };
}

function parseList<T>(v: unknown, name: string, item: (v: unknown, i: number) => Parsed<T>): Parsed<T[]> {
  if (v === undefined) return { ok: true, value: [] };
  if (!Array.isArray(v)) return fail(`${name} is not an array`);
  const out: T[] = [];
  for (let i = 0; i < v.length; i++) {
    const r = item(v[i], i);
    if (!r.ok) return r;
    out.push(r.value);
  }
  return { ok: true, value: out };
}

function u32Item(name: string): (v: unknown, i: number) => Parsed<number> {
  return (v, i) => (isU32(v) ? { ok: true, value: v } : fail(`${name}[${i}] is not a u32`));
}

/**
 * `telegramTime` is the header's time (for events sent without one). A
 * status that is not an object is kept as `{ value: … }`; an event whose
 * seq repeats within the telegram is the same event, kept once.
 */
export function parseCheckInBody(v: unknown, telegramTime = 0): Parsed<CheckInBody> {
  if (!isObject(v)) return fail('body is not a JSON object');
  const events = parseList(v.events, 'events', (x, i) => parseEvent(x, i, telegramTime));
  if (!events.ok) return events;
  const seen = new Set<number>();
  const once = events.value.filter((e) => !seen.has(e.seq) && seen.add(e.seq));
  const body: CheckInBody = {};
  if (v.status !== undefined) body.status = isObject(v.status) ? v.status : { value: v.status };
  if (v.events !== undefined) body.events = once;
  return { ok: true, value: body };
}

/** `counter` is the header's: the body must echo it. */
export function parseAckBody(v: unknown, counter: number): Parsed<AckBody> {
  if (!isObject(v)) return fail('body is not a JSON object');
  if (v.counter !== counter) return fail(`counter ${JSON.stringify(v.counter)} does not echo the header's ${counter}`);
  if (!isU32(v.serverTime)) return fail('serverTime is not a u32 (Unix seconds)');
  const accepted = parseList(v.accepted, 'accepted', u32Item('accepted'));
  if (!accepted.ok) return accepted;
  const commands = parseList(v.commands, 'commands', parseEnvelope);
  if (!commands.ok) return commands;
  return { ok: true, value: { counter, serverTime: v.serverTime, accepted: accepted.value, commands: commands.value } };
}

export function parseNakBody(v: unknown, counter: number): Parsed<NakBody> {
  if (!isObject(v)) return fail('body is not a JSON object');
  if (v.counter !== counter) return fail(`counter ${JSON.stringify(v.counter)} does not echo the header's ${counter}`);
  if (!isU32(v.serverTime)) return fail('serverTime is not a u32 (Unix seconds)');
  if (!NAK_REASONS.includes(v.reason as NakReason)) return fail(`reason ${JSON.stringify(v.reason)} is not one of ${NAK_REASONS.join(', ')}`);
  return { ok: true, value: { counter, reason: v.reason as NakReason, serverTime: v.serverTime } };
}

function userName(v: JsonValue | undefined): string | undefined {
  return typeof v === 'string' && v.length >= 1 && v.length <= MAX_USER_NAME && /^[\x20-\x7e]+$/.test(v) && v.trim() === v ? v : undefined;
}

function compartment(v: JsonValue | undefined): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 255 ? v : undefined;
}

/**
 * What a device makes of one command of an ack. `unsupported` for a type
 * it does not know, an error text for a known type with bad fields; the
 * device reports either back as a `command` event instead of running it.
 */
export function parseCommand(c: CommandEnvelope): Parsed<DeviceCommand> | { ok: false; unsupported: true; error: string } {
  switch (c.type) {
    case 'pin-add': {
      const user = userName(c.user);
      if (!user) return fail('user must be 1–32 printable characters without surrounding blanks');
      if (typeof c.hash !== 'string' || !isPinHash(c.hash)) return fail('hash must be scrypt$N$r$p$SALT$HASH (base64; N a power of two ≤ 2^17, r ≤ 16, p ≤ 4)');
      let compartments: number[] | undefined;
      if (c.compartments !== undefined) {
        if (!Array.isArray(c.compartments) || c.compartments.length === 0 || c.compartments.some((x) => compartment(x) === undefined)) return fail('compartments must be a non-empty list of numbers 1–255');
        compartments = [...new Set(c.compartments as number[])].sort((a, b) => a - b);
      }
      return { ok: true, value: { id: c.id, type: 'pin-add', user, hash: c.hash, compartments } };
    }
    case 'pin-remove': {
      const user = userName(c.user);
      if (!user) return fail('user must be 1–32 printable characters without surrounding blanks');
      return { ok: true, value: { id: c.id, type: 'pin-remove', user } };
    }
    case 'release': {
      const n = compartment(c.compartment);
      if (n === undefined) return fail('compartment must be a number 1–255');
      return { ok: true, value: { id: c.id, type: 'release', compartment: n } };
    }
    case 'interval': {
      const s = c.seconds;
      if (typeof s !== 'number' || !Number.isInteger(s) || s < MIN_INTERVAL_S || s > MAX_INTERVAL_S) return fail(`seconds must be a whole number ${MIN_INTERVAL_S}–${MAX_INTERVAL_S}`);
      return { ok: true, value: { id: c.id, type: 'interval', seconds: s } };
    }
    case 'test':
      return { ok: true, value: { id: c.id, type: 'test' } };
    default:
      return { ok: false, unsupported: true, error: `unknown command type "${c.type}"` };
  }
}
